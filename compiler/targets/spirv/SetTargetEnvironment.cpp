//===- SetTargetEnvironment.cpp - The SPIR-V environment of a profile -----===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/SPIRV/IR/TargetAndABI.h"

namespace avila::spirv {
#define GEN_PASS_DEF_SETTARGETENVIRONMENT
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

struct SetTargetEnvironment
    : avila::spirv::impl::SetTargetEnvironmentBase<SetTargetEnvironment> {
  using Base::Base;
  void runOnOperation() override {
    if (profile != "portable") {
      getOperation().emitError("no SPIR-V device profile named '")
          << profile << "'";
      return signalPassFailure();
    }
    MLIRContext *context = &getContext();
    // Subgroup arithmetic combines the partial sums of workgroup reductions;
    // Vulkan 1.1 devices report it in subgroupSupportedOperations.
    SmallVector<::mlir::spirv::Capability> capabilities = {
        ::mlir::spirv::Capability::Shader, ::mlir::spirv::Capability::Int64,
        ::mlir::spirv::Capability::GroupNonUniform,
        ::mlir::spirv::Capability::GroupNonUniformArithmetic};
    SmallVector<::mlir::spirv::Extension> extensions = {
        ::mlir::spirv::Extension::SPV_KHR_storage_buffer_storage_class};
    if (storageF16) {
      // f16 in storage buffers, converted to and from f32 in registers.
      capabilities.append(
          {::mlir::spirv::Capability::Float16,
           ::mlir::spirv::Capability::StorageBuffer16BitAccess});
      extensions.push_back(::mlir::spirv::Extension::SPV_KHR_16bit_storage);
    }
    auto triple = ::mlir::spirv::VerCapExtAttr::get(
        ::mlir::spirv::Version::V_1_3, capabilities, extensions, context);
    getOperation()->setAttr(
        ::mlir::spirv::getTargetEnvAttrName(),
        ::mlir::spirv::TargetEnvAttr::get(
            triple, ::mlir::spirv::getDefaultResourceLimits(context)));
  }
};

} // namespace
