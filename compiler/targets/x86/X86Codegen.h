//===- X86Codegen.h - avila kernels to an x86-64 shared object ---*- C++
//-*-===//
//
// Compiles every func.func of a module (avila ops on tensors) to native code
// and links it into one ELF shared object, in-process: MLIR lowering, LLVM
// optimization and code generation, and lld as a library.
//
// Kernel ABI: for each function `f` the object exports
//   void avila_kernel_f(const int64_t *args)
// where args holds, for each tensor argument and then each result, its
// memref descriptor flattened: base pointer, the same pointer, offset 0, the
// sizes, then the row-major strides (all as int64). Results are written into
// caller-provided buffers of the result shape.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H
#define AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H

#include "compiler/phases/Phases.h"
#include "runtime/hal/cpu/SharedObject.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace avila::x86 {

struct Options {
  /// -mcpu of the generated code: x86-64-v3 is AVX2 + FMA + F16C.
  std::string cpu = "x86-64-v3";
  unsigned optLevel = 3;
  /// Told of each phase and code generator step as it starts.
  ProgressCallback progress;
};

/// The CPU features code compiled with `options` uses (LLVM's names for
/// -mcpu's features; what the runtime checks the CPU for).
std::vector<std::string> cpuFeatures(const Options &options);

/// Lowers `module` (kernels, as after the dispatch phase) in place through
/// the phases after dispatch to the LLVM dialect, and returns the bytes of
/// the linked shared object.
llvm::Expected<std::vector<uint8_t>>
compileToSharedObject(mlir::ModuleOp module, const Options &options);

} // namespace avila::x86

#endif // AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H
