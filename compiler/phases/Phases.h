//===- Phases.h - The named compilation phases -------------------*- C++
//-*-===//
//
// The one definition of how a model is compiled: a list of named phases,
// each a function that adds its passes. The artifact builder and the x86
// code generator run them, and `avila-compile --compile-to=<phase>` stops
// after any of them, so the IR it prints is the IR that gets compiled.
//
// The first two phases transform the whole module (the networks, then their
// entry functions calling outlined kernels); from `linalg` on, the kernels
// alone are lowered (the entry functions became schedules in the artifact).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_PHASES_PHASES_H
#define AVILA_COMPILER_PHASES_PHASES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <optional>
#include <string>

namespace avila {

enum class Phase { Graph, Dispatch, Linalg, Fused, Bufferized, Ukernels, LLVM };

/// What compilation is doing, for a progress display: a phase or a step of
/// the code generator, and for steps that go function by function, how many of
/// `total` are done (total is 0 otherwise).
struct CompileProgress {
  std::string step;
  size_t done = 0, total = 0;
};
using ProgressCallback = std::function<void(const CompileProgress &)>;

struct PhaseInfo {
  Phase phase;
  const char *name;
  const char *description;
  /// Adds the passes that lead from the previous phase to this one.
  void (*addPasses)(mlir::OpPassManager &passes);
};

/// Every phase, in order.
llvm::ArrayRef<PhaseInfo> phases();
const PhaseInfo &phaseInfo(Phase phase);
std::optional<Phase> parsePhase(llvm::StringRef name);

/// Runs the phases after `from` up to and including `to` on `module`,
/// reporting each to `progress` as it starts. Fails with the diagnostics.
llvm::Error runPhases(mlir::ModuleOp module, Phase from, Phase to,
                      const ProgressCallback &progress = {});

/// The kernels (functions marked avila.dispatch) of a module after the
/// dispatch phase, alone in a new module: what the code generator compiles.
mlir::OwningOpRef<mlir::ModuleOp> cloneKernels(mlir::ModuleOp module);

/// The IR after `phase`, as the artifact builder compiles it: `module` (the
/// networks; transformed in place) up to dispatch, then its kernels alone.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
lowerTo(mlir::ModuleOp module, Phase phase,
        const ProgressCallback &progress = {});

} // namespace avila

#endif // AVILA_COMPILER_PHASES_PHASES_H
