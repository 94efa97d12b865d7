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

gpu::LaunchOp
launchOverYZ(OpBuilder &b, Location loc, Value gridX, Value count,
             int64_t invocations,
             function_ref<void(OpBuilder &, gpu::LaunchOp)> body) {
  auto [gridY, gridZ] = splitOverYZ(b, loc, count);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto launch = gpu::LaunchOp::create(
      b, loc, gridX, gridY, gridZ,
      arith::ConstantIndexOp::create(b, loc, invocations), one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  body(b, launch);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  return launch;
}

Value linearWorkgroupYZ(OpBuilder &b, Location loc, gpu::LaunchOp launch) {
  return arith::AddIOp::create(b, loc,
                               arith::MulIOp::create(b, loc,
                                                     launch.getBlockIds().z,
                                                     launch.getGridSize().y),
                               launch.getBlockIds().y);
}

} // namespace avila::spirv
