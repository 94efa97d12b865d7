//===- SpirvText.cpp - A SPIR-V module as MLIR's spirv dialect ------------===//

#include "tools/avila-inspect/SpirvText.h"
#include "runtime/base/Error.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVDialect.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Target/SPIRV/Deserialization.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <vector>

namespace avila::inspect {

std::string spirvText(std::span<const uint8_t> bytes) {
  if (bytes.size() % sizeof(uint32_t) != 0)
    fail("a SPIR-V module of " + std::to_string(bytes.size()) +
         " bytes, not whole 32-bit words");
  // The artifact's code need not be word-aligned in memory.
  std::vector<uint32_t> words(bytes.size() / sizeof(uint32_t));
  std::memcpy(words.data(), bytes.data(), bytes.size());
  mlir::MLIRContext context;
  context.loadDialect<mlir::spirv::SPIRVDialect>();
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    diagnostics += "\n  " + d.str();
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::spirv::ModuleOp> module =
      mlir::spirv::deserialize(words, &context);
  if (!module)
    fail("cannot deserialize the SPIR-V module" +
         (diagnostics.empty() ? std::string() : ":" + diagnostics));
  std::string text;
  llvm::raw_string_ostream stream(text);
  module->print(stream);
  return text + "\n";
}

} // namespace avila::inspect
