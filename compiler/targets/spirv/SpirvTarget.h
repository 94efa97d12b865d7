//===- SpirvTarget.h - The Vulkan (SPIR-V) target backend ---------*- C++
//-*-===//
//
// Kernels as SPIR-V compute shaders for Vulkan devices: each parallel loop
// of a kernel becomes a GPU function of its own, one SPIR-V module each,
// and the kernel's host side a launch plan (TargetBackend.h) the artifact
// builder turns into dispatches. This is the portable path every Vulkan 1.3
// device runs, lavapipe included: one invocation per loop iteration, f32
// arithmetic, buffers f32 or (precision fp16) f16.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H
#define AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H

#include "compiler/targets/TargetBackend.h"

namespace avila::spirv {

class SpirvTarget final : public TargetBackend {
public:
  explicit SpirvTarget(TargetOptions options = {}) : options(options) {}

  llvm::Expected<std::unique_ptr<TargetBackend>>
  configured(const TargetOptions &configuration) const override {
    return std::make_unique<SpirvTarget>(configuration);
  }
  llvm::StringRef name() const override { return "vulkan"; }
  artifact::Target artifactTarget() const override {
    return artifact::Target::Vulkan;
  }
  llvm::ArrayRef<PhaseInfo> phases() const override;
  void registerDialects(mlir::DialectRegistry &registry) const override;
  llvm::Expected<TargetCode>
  serialize(mlir::ModuleOp kernels,
            const ProgressCallback &progress) const override;
  /// Vulkan device features the portable kernels use.
  std::vector<std::string> features() const override;
  /// Vulkan's largest minStorageBufferOffsetAlignment in practice.
  int64_t arenaAlignment() const override { return 256; }
  artifact::ElementType pushConstantType() const override {
    return artifact::ElementType::I32;
  }
  artifact::ElementType storageType() const override {
    return options.precision == Precision::FP16 ? artifact::ElementType::F16
                                                : artifact::ElementType::F32;
  }

private:
  TargetOptions options;
};

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H
