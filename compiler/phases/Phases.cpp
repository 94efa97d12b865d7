//===- Phases.cpp - The named compilation phases --------------------------===//

#include "compiler/phases/Phases.h"
#include "compiler/transforms/AttentionUkernel.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

#include <mutex>

using namespace mlir;

namespace avila {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

// Phases are written as textual pipelines (upstream passes take their
// options that way); a typo is a bug, caught by every test that compiles.
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

// memref.copy between strided buffers lowers to a call into MLIR's C runner
// library, which the runtime does not have; as linalg.copy it becomes loops.
struct CopiesToLinalg
    : public PassWrapper<CopiesToLinalg, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CopiesToLinalg)
  StringRef getArgument() const override { return "avila-copies-to-linalg"; }
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

void addDispatch(OpPassManager &passes) {
  passes.addPass(createFormDispatches());
}

// Attention that the CPU ukernel runs stays an op; its bufferization emits
// the ukernel call.
void addLinalg(OpPassManager &passes) {
  addPipeline(passes,
              "func.func(avila-lower-to-linalg{keep-ukernel-attention}),"
              "canonicalize,cse");
}

void addFused(OpPassManager &passes) {
  addPipeline(passes, "func.func(avila-fuse-elementwise),canonicalize");
}

// Function boundaries become memrefs with identity layouts; results become
// out-parameters the caller allocates (so kernels write straight into arena
// or output buffers); temporaries are freed where they die.
void addBufferized(OpPassManager &passes) {
  addPipeline(passes, "one-shot-bufferize{bufferize-function-boundaries "
                      "function-boundary-type-conversion=identity-layout-map},"
                      "buffer-results-to-out-params{modify-public-functions "
                      "hoist-dynamic-allocs},"
                      "buffer-deallocation-pipeline,canonicalize");
}

void addUkernels(OpPassManager &passes) {
  addPipeline(passes, "avila-contractions-to-ukernels");
  passes.addPass(std::make_unique<CopiesToLinalg>());
}

void addLLVM(OpPassManager &passes) {
  addPipeline(passes, "func.func(convert-linalg-to-parallel-loops),"
                      "avila-outline-parallel-loops,"
                      "convert-math-to-llvm,convert-math-to-libm,"
                      "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
                      "lower-affine,finalize-memref-to-llvm,convert-to-llvm,"
                      "reconcile-unrealized-casts");
}

void addNothing(OpPassManager &) {}

const PhaseInfo kPhases[] = {
    {Phase::Graph, "graph",
     "the networks in the avila dialect (text_encoder, unet, vae_decoder, "
     "vae_encoder)",
     addNothing},
    {Phase::Dispatch, "dispatch",
     "grouped into kernels (avila.dispatch functions), called from the entry "
     "points",
     addDispatch},
    {Phase::Linalg, "linalg",
     "the kernels alone, lowered to linalg on tensors (attention the CPU "
     "ukernel runs stays avila.attention)",
     addLinalg},
    {Phase::Fused, "fused", "elementwise producers fused into their consumers",
     addFused},
    {Phase::Bufferized, "bufferized",
     "on buffers, results as out-parameters, attention as a ukernel call",
     addBufferized},
    {Phase::Ukernels, "ukernels", "matmuls and convolutions as ukernel calls",
     addUkernels},
    {Phase::LLVM, "llvm",
     "loops (parallel ones outlined as thread pool tasks) in the LLVM dialect, "
     "the last phase before LLVM's own code generation",
     addLLVM},
};

// Everything the phases create or bufferize, loaded into `context`.
void loadDialects(MLIRContext &context) {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAttentionUkernelBufferization(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

} // namespace

llvm::ArrayRef<PhaseInfo> phases() { return kPhases; }

const PhaseInfo &phaseInfo(Phase phase) {
  return kPhases[static_cast<size_t>(phase)];
}

std::optional<Phase> parsePhase(llvm::StringRef name) {
  for (const PhaseInfo &info : kPhases)
    if (name == info.name)
      return info.phase;
  return std::nullopt;
}

llvm::Error runPhases(ModuleOp module, Phase from, Phase to,
                      const ProgressCallback &progress) {
  MLIRContext &context = *module.getContext();
  loadDialects(context);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    diagnostics += "\n" + diagnostic.str();
    return success();
  });
  for (size_t i = static_cast<size_t>(from) + 1; i <= static_cast<size_t>(to);
       ++i) {
    const PhaseInfo &info = kPhases[i];
    if (progress)
      progress({info.name});
    PassManager passes(&context);
    info.addPasses(passes);
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
lowerTo(ModuleOp module, Phase phase, const ProgressCallback &progress) {
  if (auto error = runPhases(module, Phase::Graph,
                             std::min(phase, Phase::Dispatch), progress))
    return std::move(error);
  OwningOpRef<ModuleOp> result =
      phase <= Phase::Dispatch ? module.clone() : cloneKernels(module);
  if (auto error = runPhases(*result, Phase::Dispatch, phase, progress))
    return std::move(error);
  return result;
}

} // namespace avila
