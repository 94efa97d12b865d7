//===- SpirvTarget.h - The Vulkan (SPIR-V) target backend ---------*- C++
//-*-===//
//
// Kernels as SPIR-V compute shaders for Vulkan devices: each parallel loop
// of a kernel becomes a GPU function of its own, one SPIR-V module each,
// and the kernel's host side a launch plan (TargetBackend.h) the artifact
// builder turns into dispatches. Contractions and attention are workgroup
// tiles, the rest one invocation per loop iteration; arithmetic is f32,
// buffers f32 or (precision fp16) f16; on a device profile with cooperative
// matrices, fp16 contractions multiply f16 fragments.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H
#define AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H

#include "compiler/targets/TargetBackend.h"
#include "compiler/targets/spirv/DeviceProfile.h"

namespace avila::spirv {

class SpirvTarget final : public TargetBackend {
public:
  /// The target with the default options.
  SpirvTarget();

  llvm::Expected<std::unique_ptr<TargetBackend>>
  configured(const TargetOptions &configuration) const override;
  llvm::StringRef name() const override { return "vulkan"; }
  artifact::Target artifactTarget() const override {
    return artifact::Target::Vulkan;
  }
  llvm::ArrayRef<PhaseInfo> phases() const override;
  void registerDialects(mlir::DialectRegistry &registry) const override;
  llvm::Expected<TargetCode>
  serialize(mlir::ModuleOp kernels,
            const ProgressCallback &progress) const override;
  /// Vulkan device features the kernels use.
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
  /// One workgroup per group or row (avila-group-norms-to-workgroups),
  /// instead of a dozen launches of sums and maps.
  bool runsWholeNorms() const override { return true; }

  const DeviceProfile &deviceProfile() const { return profile; }
  /// Whether contractions multiply cooperative-matrix fragments: the
  /// profile has them and the operands are f16 in memory.
  bool usesCooperativeMatrices() const {
    return profile.cooperativeMatrix && options.precision == Precision::FP16;
  }

private:
  SpirvTarget(TargetOptions options, DeviceProfile profile)
      : options(std::move(options)), profile(std::move(profile)) {}

  TargetOptions options;
  DeviceProfile profile;
};

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_SPIRVTARGET_H
