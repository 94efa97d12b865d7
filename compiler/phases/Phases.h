//===- Phases.h - The named compilation phases -------------------*- C++
//-*-===//
//
// The one definition of how a model is compiled: a list of named phases,
// each a function that adds its passes. The artifact builder runs them, and
// `avila-compile --compile-to=<phase>` stops after any of them, so the IR it
// prints is the IR that gets compiled.
//
// The module phases transform the whole module (the networks, then their
// entry functions calling outlined kernels); the kernel phases lower the
// kernels alone (the entry functions became schedules in the artifact). The
// kernel phases up to `bufferized` are shared by every target; the target
// backend adds the rest (compiler/targets/TargetBackend.h).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_PHASES_PHASES_H
#define AVILA_COMPILER_PHASES_PHASES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>
#include <vector>

namespace avila {

class TargetBackend;
struct TargetCode;

/// What compilation is doing, for a progress display: a phase or a step of
/// the code generator, and for steps that go function by function, how many of
/// `total` are done (total is 0 otherwise).
struct CompileProgress {
  std::string step;
  size_t done = 0, total = 0;
};
using ProgressCallback = std::function<void(const CompileProgress &)>;

struct PhaseInfo {
  const char *name;
  const char *description;
  /// Adds the passes that lead from the previous phase to this one when
  /// compiling for `target` (whose options may choose passes).
  void (*addPasses)(mlir::OpPassManager &passes, const TargetBackend &target);
};

/// The phases on the whole module: graph, then dispatch.
llvm::ArrayRef<PhaseInfo> modulePhases();

/// The phases on the kernels alone when compiling for `target`: the shared
/// ones, then the target's.
std::vector<PhaseInfo> kernelPhases(const TargetBackend &target);

/// Every phase compiling for `target`: the module phases, then the kernel
/// phases.
std::vector<PhaseInfo> allPhases(const TargetBackend &target);

/// Adds the textual pass pipeline `pipeline` (how upstream passes take their
/// options) to `passes`; a typo is a bug, caught by every test that compiles.
void addPipeline(mlir::OpPassManager &passes, llvm::StringRef pipeline);

/// Runs `phases` on `module` in order, reporting each to `progress` as it
/// starts. Fails with the diagnostics.
llvm::Error runPhases(mlir::ModuleOp module, const TargetBackend &target,
                      llvm::ArrayRef<PhaseInfo> phases,
                      const ProgressCallback &progress = {});

/// The kernels (functions marked avila.dispatch) of a module after the
/// dispatch phase, alone in a new module: what the target compiles.
mlir::OwningOpRef<mlir::ModuleOp> cloneKernels(mlir::ModuleOp module);

/// The IR after the phase named `phase` (a module phase or a kernel phase of
/// `target`), as the artifact builder compiles it: `module` (the networks;
/// transformed in place) up to dispatch, then its kernels alone.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
lowerTo(mlir::ModuleOp module, const TargetBackend &target,
        llvm::StringRef phase, const ProgressCallback &progress = {});

/// Lowers `kernels` (as cloneKernels returns them; in place) through the
/// kernel phases of `target` and serializes them into its code.
llvm::Expected<TargetCode>
compileKernels(mlir::ModuleOp kernels, const TargetBackend &target,
               const ProgressCallback &progress = {});

} // namespace avila

#endif // AVILA_COMPILER_PHASES_PHASES_H
