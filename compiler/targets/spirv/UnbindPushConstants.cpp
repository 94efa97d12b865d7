//===- UnbindPushConstants.cpp - Push constants without bindings ----------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"

namespace avila::spirv {
#define GEN_PASS_DEF_UNBINDPUSHCONSTANTS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

struct UnbindPushConstants
    : avila::spirv::impl::UnbindPushConstantsBase<UnbindPushConstants> {
  void runOnOperation() override {
    getOperation().walk([](::mlir::spirv::GlobalVariableOp variable) {
      auto pointer = cast<::mlir::spirv::PointerType>(variable.getType());
      if (pointer.getStorageClass() !=
          ::mlir::spirv::StorageClass::PushConstant)
        return;
      variable->removeAttr(variable.getDescriptorSetAttrName());
      variable->removeAttr(variable.getBindingAttrName());
    });
  }
};

} // namespace
