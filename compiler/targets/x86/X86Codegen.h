//===- X86Codegen.h - LLVM-dialect kernels to an x86-64 shared object -*- C++
//-*-===//
//
// Compiles kernels lowered to the LLVM dialect (the x86 target's last phase)
// to native code and links it into one ELF shared object, in-process: LLVM
// optimization and code generation, and lld as a library.
//
// Kernel ABI: for each kernel `f` (a public function with a body) the object
// exports
//   void avila_kernel_f(const int64_t *args)
// where args holds, for each tensor argument and then each result, its
// memref descriptor flattened: base pointer, the same pointer, offset 0, the
// sizes, then the row-major strides (all as int64). Results are written into
// caller-provided buffers of the result shape.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H
#define AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H

#include "compiler/targets/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace avila::x86 {

struct Options {
  /// -mcpu of the generated code: x86-64-v3 is AVX2 + FMA + F16C.
  std::string cpu = "x86-64-v3";
  unsigned optLevel = 3;
};

/// The CPU features code compiled with `options` uses (LLVM's names for
/// -mcpu's features; what the runtime checks the CPU for).
std::vector<std::string> cpuFeatures(const Options &options);

/// The linked shared object of `module` (kernels in the LLVM dialect) and
/// the kernels it exports, reporting each step to `progress`.
llvm::Expected<TargetCode>
compileToSharedObject(mlir::ModuleOp module, const Options &options,
                      const ProgressCallback &progress);

} // namespace avila::x86

#endif // AVILA_COMPILER_TARGETS_X86_X86CODEGEN_H
