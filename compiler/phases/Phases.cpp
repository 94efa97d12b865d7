//===- Phases.cpp - The named compilation phases --------------------------===//

#include "compiler/phases/Phases.h"
#include "compiler/targets/TargetBackend.h"
#include "compiler/transforms/DestinationStyleBufferization.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"

#include <mutex>

using namespace mlir;

namespace avila {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

void addDispatch(OpPassManager &passes, const TargetBackend &) {
  passes.addPass(createFormDispatches());
}

// Attention that a target runs as one kernel becomes avila.fused_attention,
// and norms avila.fused_group_norm where the target asks for them whole,
// which the target lowers on buffers like avila.contraction.
void addLinalg(OpPassManager &passes, const TargetBackend &target) {
  addPipeline(passes, target.runsWholeNorms()
                          ? "func.func(avila-lower-to-linalg{keep-whole-"
                            "attention keep-whole-norms}),canonicalize,cse"
                          : "func.func(avila-lower-to-linalg{keep-whole-"
                            "attention}),canonicalize,cse");
}

void addFused(OpPassManager &passes, const TargetBackend &) {
  addPipeline(passes, "func.func(avila-fuse-elementwise),canonicalize");
}

void addContractions(OpPassManager &passes, const TargetBackend &) {
  addPipeline(passes, "func.func(avila-form-contractions)");
}

// Function boundaries become memrefs with identity layouts; results become
// out-parameters the caller allocates (so kernels write straight into arena
// or output buffers); temporaries are freed where they die.
void addBufferized(OpPassManager &passes, const TargetBackend &) {
  addPipeline(passes, "one-shot-bufferize{bufferize-function-boundaries "
                      "function-boundary-type-conversion=identity-layout-map},"
                      "buffer-results-to-out-params{modify-public-functions "
                      "hoist-dynamic-allocs},"
                      "buffer-deallocation-pipeline,canonicalize");
}

void addNothing(OpPassManager &, const TargetBackend &) {}

const PhaseInfo kModulePhases[] = {
    {"graph",
     "the networks in the avila dialect (text_encoder, unet, vae_decoder, "
     "vae_encoder)",
     addNothing},
    {"dispatch",
     "grouped into kernels (avila.dispatch functions), called from the entry "
     "points",
     addDispatch},
};

const PhaseInfo kSharedKernelPhases[] = {
    {"linalg",
     "the kernels alone, lowered to linalg on tensors (attention a target "
     "runs as one kernel as avila.fused_attention, norms as "
     "avila.fused_group_norm where the target asks)",
     addLinalg},
    {"fused", "elementwise producers fused into their consumers", addFused},
    {"contractions",
     "matmuls and convolutions as avila.contraction, on tensors, for the "
     "target to run",
     addContractions},
    {"bufferized",
     "on buffers, results as out-parameters, avila.contraction, "
     "avila.fused_attention and avila.fused_group_norm updating their init "
     "in place",
     addBufferized},
};

// Everything the phases for `target` create or bufferize, loaded into
// `context`.
void loadDialects(MLIRContext &context, const TargetBackend &target) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerDestinationStyleBufferization(registry);
  target.registerDialects(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

} // namespace

void addPipeline(OpPassManager &passes, llvm::StringRef pipeline) {
  static std::once_flag once;
  std::call_once(once, [] {
    registerAllPasses();
    registerAvilaPasses();
  });
  std::string errors;
  llvm::raw_string_ostream stream(errors);
  if (failed(parsePassPipeline(pipeline, passes, stream)))
    llvm::report_fatal_error("bad phase pipeline: " + llvm::Twine(errors));
}

llvm::ArrayRef<PhaseInfo> modulePhases() { return kModulePhases; }

std::vector<PhaseInfo> kernelPhases(const TargetBackend &target) {
  std::vector<PhaseInfo> phases(std::begin(kSharedKernelPhases),
                                std::end(kSharedKernelPhases));
  llvm::append_range(phases, target.phases());
  return phases;
}

std::vector<PhaseInfo> allPhases(const TargetBackend &target) {
  std::vector<PhaseInfo> phases(modulePhases().begin(), modulePhases().end());
  llvm::append_range(phases, kernelPhases(target));
  return phases;
}

llvm::Error runPhases(ModuleOp module, const TargetBackend &target,
                      llvm::ArrayRef<PhaseInfo> phases,
                      const ProgressCallback &progress) {
  MLIRContext &context = *module.getContext();
  loadDialects(context, target);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    diagnostics += "\n" + diagnostic.str();
    return success();
  });
  for (const PhaseInfo &info : phases) {
    if (progress)
      progress({info.name});
    PassManager passes(&context);
    info.addPasses(passes, target);
    if (failed(passes.run(module)))
      return fail("the " + llvm::Twine(info.name) + " phase failed" +
                  diagnostics);
  }
  return llvm::Error::success();
}

OwningOpRef<ModuleOp> cloneKernels(ModuleOp module) {
  OpBuilder builder(module.getContext());
  OwningOpRef<ModuleOp> kernels = ModuleOp::create(module.getLoc());
  builder.setInsertionPointToEnd(kernels->getBody());
  for (auto function : module.getOps<func::FuncOp>())
    if (function->hasAttr("avila.dispatch"))
      builder.clone(*function);
  return kernels;
}

llvm::Expected<OwningOpRef<ModuleOp>>
lowerTo(ModuleOp module, const TargetBackend &target, llvm::StringRef phase,
        const ProgressCallback &progress) {
  std::vector<PhaseInfo> all = allPhases(target);
  auto named = llvm::find_if(
      all, [&](const PhaseInfo &info) { return phase == info.name; });
  if (named == all.end())
    return fail("no phase '" + phase + "' for target " + target.name());
  llvm::ArrayRef<PhaseInfo> upTo =
      llvm::ArrayRef(all).take_front(named - all.begin() + 1);
  llvm::ArrayRef<PhaseInfo> onModule = upTo.take_front(modulePhases().size());
  if (auto error = runPhases(module, target, onModule, progress))
    return std::move(error);
  if (upTo.size() == onModule.size())
    return OwningOpRef<ModuleOp>(module.clone());
  OwningOpRef<ModuleOp> kernels = cloneKernels(module);
  if (auto error = runPhases(*kernels, target, upTo.drop_front(onModule.size()),
                             progress))
    return std::move(error);
  return kernels;
}

llvm::Expected<TargetCode> compileKernels(ModuleOp kernels,
                                          const TargetBackend &target,
                                          const ProgressCallback &progress) {
  if (auto error = runPhases(kernels, target, kernelPhases(target), progress))
    return std::move(error);
  return target.serialize(kernels, progress);
}

} // namespace avila
