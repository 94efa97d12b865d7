//===- WorkgroupGrid.cpp - Workgroup counts within Vulkan's limits --------===//

#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace avila::spirv {

std::pair<Value, Value> splitOverYZ(OpBuilder &b, Location loc, Value count) {
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  Value gridZ = arith::AddIOp::create(
      b, loc,
      arith::DivUIOp::create(
          b, loc, count,
          arith::ConstantIndexOp::create(b, loc, kMaxWorkgroupsPerAxis)),
      one);
  Value gridY = arith::AddIOp::create(
      b, loc, arith::DivUIOp::create(b, loc, count, gridZ), one);
  return {gridY, gridZ};
}

Value linearWorkgroupYZ(OpBuilder &b, Location loc, gpu::LaunchOp launch) {
  return arith::AddIOp::create(b, loc,
                               arith::MulIOp::create(b, loc,
                                                     launch.getBlockIds().z,
                                                     launch.getGridSize().y),
                               launch.getBlockIds().y);
}

} // namespace avila::spirv
