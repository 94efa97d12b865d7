//===- SetTargetEnvironment.cpp - The SPIR-V environment of a profile -----===//

#include "compiler/targets/spirv/DeviceProfile.h"
#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace avila::spirv {
#define GEN_PASS_DEF_SETTARGETENVIRONMENT
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
namespace spv = ::mlir::spirv;

namespace {

bool usesCooperativeMatrices(gpu::GPUModuleOp module) {
  return module
      .walk([](Operation *op) {
        return isa<gpu::SubgroupMmaComputeOp>(op) ? WalkResult::interrupt()
                                                  : WalkResult::advance();
      })
      .wasInterrupted();
}

struct SetTargetEnvironment
    : avila::spirv::impl::SetTargetEnvironmentBase<SetTargetEnvironment> {
  using Base::Base;

  spv::TargetEnvAttr environment(const avila::spirv::DeviceProfile &device,
                                 bool cooperative) {
    MLIRContext *context = &getContext();
    // Subgroup arithmetic combines the partial sums of workgroup reductions;
    // Vulkan 1.1 devices report it in subgroupSupportedOperations.
    SmallVector<spv::Capability> capabilities = {
        spv::Capability::Shader, spv::Capability::Int64,
        spv::Capability::GroupNonUniform,
        spv::Capability::GroupNonUniformArithmetic};
    SmallVector<spv::Extension> extensions = {
        spv::Extension::SPV_KHR_storage_buffer_storage_class};
    if (storageF16) {
      // f16 in storage buffers, converted to and from f32 in registers.
      capabilities.append({spv::Capability::Float16,
                           spv::Capability::StorageBuffer16BitAccess});
      extensions.push_back(spv::Extension::SPV_KHR_16bit_storage);
    }
    if (!cooperative)
      return spv::TargetEnvAttr::get(
          spv::VerCapExtAttr::get(spv::Version::V_1_3, capabilities, extensions,
                                  context),
          spv::getDefaultResourceLimits(context));
    // Cooperative matrices need SPIR-V 1.6 and the Vulkan memory model;
    // the one shape every kernel uses is the only one declared.
    capabilities.append({spv::Capability::CooperativeMatrixKHR,
                         spv::Capability::VulkanMemoryModel,
                         spv::Capability::GroupNonUniformShuffle});
    extensions.append({spv::Extension::SPV_KHR_cooperative_matrix,
                       spv::Extension::SPV_KHR_vulkan_memory_model});
    Builder b(context);
    auto shape = spv::CooperativeMatrixPropertiesKHRAttr::get(
        context, 16, 16, 16, b.getF16Type(), b.getF16Type(), b.getF32Type(),
        b.getF32Type(), false,
        spv::ScopeAttr::get(context, spv::Scope::Subgroup));
    auto defaults = spv::getDefaultResourceLimits(context);
    auto limits = spv::ResourceLimitsAttr::get(
        context, defaults.getMaxComputeSharedMemorySize(),
        device.maxWorkgroupInvocations, defaults.getMaxComputeWorkgroupSize(),
        device.subgroupSize, defaults.getMinSubgroupSize(),
        defaults.getMaxSubgroupSize(), b.getArrayAttr({shape}),
        defaults.getCooperativeMatrixPropertiesNv());
    return spv::TargetEnvAttr::get(spv::VerCapExtAttr::get(spv::Version::V_1_6,
                                                           capabilities,
                                                           extensions, context),
                                   limits);
  }

  void runOnOperation() override {
    auto device = avila::spirv::deviceProfile(profile);
    if (!device) {
      getOperation().emitError(llvm::toString(device.takeError()));
      return signalPassFailure();
    }
    // Per GPU module: only the kernels that multiply fragments take on the
    // cooperative-matrix environment and its memory model.
    for (auto module : getOperation().getOps<gpu::GPUModuleOp>()) {
      const bool cooperative = usesCooperativeMatrices(module);
      if (cooperative && !(device->cooperativeMatrix && storageF16)) {
        module.emitError("cooperative matrices need f16 storage and a "
                         "device profile that has them, not '")
            << profile << "'";
        return signalPassFailure();
      }
      module->setAttr(spv::getTargetEnvAttrName(),
                      environment(*device, cooperative));
    }
  }
};

} // namespace
