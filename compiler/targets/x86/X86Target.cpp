//===- X86Target.cpp - The x86-64 target backend --------------------------===//

#include "compiler/targets/x86/X86Target.h"
#include "compiler/targets/x86/X86Passes.h"
#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

using namespace mlir;

namespace avila::x86 {

namespace {

void addUkernels(OpPassManager &passes, const TargetBackend &) {
  passes.addPass(createContractionsToUkernels());
  passes.addPass(createFusedAttentionToUkernel());
  passes.addPass(createCopiesToLinalg());
}

void addLLVM(OpPassManager &passes, const TargetBackend &) {
  addPipeline(passes, "func.func(convert-linalg-to-parallel-loops)");
  passes.addPass(createOutlineParallelLoops());
  addPipeline(passes, "convert-math-to-llvm,convert-math-to-libm,"
                      "lower-affine,convert-scf-to-cf,expand-strided-metadata,"
                      "lower-affine,finalize-memref-to-llvm,convert-to-llvm,"
                      "reconcile-unrealized-casts");
}

const PhaseInfo kPhases[] = {
    {"ukernels",
     "avila.contraction and avila.fused_attention ops as ukernel "
     "calls",
     addUkernels},
    {"llvm",
     "loops (parallel ones outlined as thread pool tasks) in the LLVM dialect, "
     "the last phase before LLVM's own code generation",
     addLLVM},
};

} // namespace

llvm::Expected<std::unique_ptr<TargetBackend>>
X86Target::configured(const TargetOptions &targetOptions) const {
  if (targetOptions.precision != Precision::FP32)
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--precision fp16: the x86 target computes in fp32; fp16 is for "
        "--target vulkan");
  if (!targetOptions.deviceProfile.empty())
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "--device-profile '" + targetOptions.deviceProfile +
            "': device profiles are for --target vulkan; the x86 target "
            "generates for the CPU that compiles");
  return std::make_unique<X86Target>(options);
}

llvm::ArrayRef<PhaseInfo> X86Target::phases() const { return kPhases; }

void X86Target::registerDialects(DialectRegistry &registry) const {
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

llvm::Expected<TargetCode>
X86Target::serialize(ModuleOp kernels, const ProgressCallback &progress) const {
  return compileToSharedObject(kernels, options, progress);
}

std::vector<std::string> X86Target::features() const {
  return cpuFeatures(options);
}

} // namespace avila::x86
