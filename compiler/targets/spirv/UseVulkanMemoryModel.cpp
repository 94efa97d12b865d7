//===- UseVulkanMemoryModel.cpp - Cooperative-matrix modules on VMM -------===//
//
// A shader module with cooperative matrices must declare the Vulkan memory
// model, under which a barrier orders only non-private accesses: the
// invocations of a workgroup see each other's workgroup-memory writes after
// a barrier only if those accesses are marked NonPrivatePointer and the
// barrier makes them available and visible (what glslang emits for shared
// memory).
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVOps.h"

namespace avila::spirv {
#define GEN_PASS_DEF_USEVULKANMEMORYMODEL
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
namespace spv = ::mlir::spirv;

namespace {

bool inWorkgroupMemory(Value pointer) {
  auto type = dyn_cast<spv::PointerType>(pointer.getType());
  return type && type.getStorageClass() == spv::StorageClass::Workgroup;
}

spv::MemoryAccess nonPrivate(std::optional<spv::MemoryAccess> access) {
  return access.value_or(spv::MemoryAccess::None) |
         spv::MemoryAccess::NonPrivatePointer;
}

struct UseVulkanMemoryModel
    : avila::spirv::impl::UseVulkanMemoryModelBase<UseVulkanMemoryModel> {
  void runOnOperation() override {
    spv::ModuleOp module = getOperation();
    bool cooperative = false;
    module.walk([&](Operation *op) {
      cooperative |= isa<spv::KHRCooperativeMatrixMulAddOp>(op);
    });
    if (!cooperative)
      return;
    module.setMemoryModel(spv::MemoryModel::Vulkan);
    module.walk([](Operation *op) {
      if (auto load = dyn_cast<spv::LoadOp>(op);
          load && inWorkgroupMemory(load.getPtr()))
        load.setMemoryAccess(nonPrivate(load.getMemoryAccess()));
      else if (auto store = dyn_cast<spv::StoreOp>(op);
               store && inWorkgroupMemory(store.getPtr()))
        store.setMemoryAccess(nonPrivate(store.getMemoryAccess()));
      else if (auto load = dyn_cast<spv::KHRCooperativeMatrixLoadOp>(op);
               load && inWorkgroupMemory(load.getPointer()))
        load.setMemoryOperand(nonPrivate(load.getMemoryOperand()));
      else if (auto store = dyn_cast<spv::KHRCooperativeMatrixStoreOp>(op);
               store && inWorkgroupMemory(store.getPointer()))
        store.setMemoryOperand(nonPrivate(store.getMemoryOperand()));
      else if (auto barrier = dyn_cast<spv::ControlBarrierOp>(op))
        barrier.setMemorySemantics(barrier.getMemorySemantics() |
                                   spv::MemorySemantics::MakeAvailable |
                                   spv::MemorySemantics::MakeVisible);
    });
  }
};

} // namespace
