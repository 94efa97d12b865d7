//===- KernelCode.h - A kernel's SPIR-V module in an artifact ---*- C++ -*-===//
//
// A Vulkan artifact holds one SPIR-V module per kernel, a byte range of its
// code; these find a kernel by name and cut its module out, with errors that
// name what the user typed.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TOOLS_AVILA_INSPECT_KERNELCODE_H
#define AVILA_TOOLS_AVILA_INSPECT_KERNELCODE_H

#include "runtime/artifact/Artifact.h"

#include <cstdint>
#include <span>
#include <string>

namespace avila::inspect {

/// The kernel named `name`. Throws avila::Error for a name the artifact
/// lacks.
const artifact::Kernel &findKernel(const artifact::Artifact &root,
                                   const std::string &name);

/// Throws avila::Error unless `root` holds one SPIR-V module per kernel
/// (a Vulkan artifact), naming the target it has instead.
void requireSpirvModules(const artifact::Artifact &root);

/// `kernel`'s SPIR-V module. Throws avila::Error as requireSpirvModules does
/// and for a range outside the code.
std::span<const uint8_t> spirvModule(const artifact::Artifact &root,
                                     const artifact::Kernel &kernel);

/// Writes `bytes` to `path`. Throws avila::Error when it cannot.
void writeBytes(const std::string &path, std::span<const uint8_t> bytes);

} // namespace avila::inspect

#endif // AVILA_TOOLS_AVILA_INSPECT_KERNELCODE_H
