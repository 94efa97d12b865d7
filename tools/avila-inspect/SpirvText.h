//===- SpirvText.h - A SPIR-V module as MLIR's spirv dialect ----*- C++ -*-===//
//
// The runtime reads SPIR-V only as words; to show a kernel to a person the
// tool deserializes it with MLIR (the same dialect the compiler emitted it
// from), so no separate disassembler needs to be installed.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TOOLS_AVILA_INSPECT_SPIRVTEXT_H
#define AVILA_TOOLS_AVILA_INSPECT_SPIRVTEXT_H

#include <cstdint>
#include <span>
#include <string>

namespace avila::inspect {

/// The `spirv.module` that the SPIR-V binary `bytes` deserializes to, as
/// text. Throws avila::Error with MLIR's diagnostics when it does not.
std::string spirvText(std::span<const uint8_t> bytes);

} // namespace avila::inspect

#endif // AVILA_TOOLS_AVILA_INSPECT_SPIRVTEXT_H
