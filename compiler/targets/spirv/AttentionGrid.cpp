//===- AttentionGrid.cpp - Workgroups over query blocks of heads ----------===//

#include "compiler/targets/spirv/AttentionGrid.h"

#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

void avila::spirv::AttentionGrid::launch(OpBuilder &b, FusedAttentionOp op,
                                         int64_t rows, int64_t invocations,
                                         KernelBuilder kernel) {
  Location loc = op.getLoc();
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  AttentionGrid grid;
  Value batches = memref::DimOp::create(b, loc, op.getQuery(), zero);
  grid.queries = memref::DimOp::create(b, loc, op.getQuery(), one);
  grid.keyCount = memref::DimOp::create(b, loc, op.getKey(), one);
  grid.queryBlocks = arith::CeilDivUIOp::create(
      b, loc, grid.queries, arith::ConstantIndexOp::create(b, loc, rows));
  grid.groups = arith::MulIOp::create(
      b, loc, grid.queryBlocks,
      arith::MulIOp::create(
          b, loc, batches,
          arith::ConstantIndexOp::create(b, loc, op.getNumHeads())));
  launchOverYZ(
      b, loc, one, grid.groups, invocations,
      [&](OpBuilder &lb, gpu::LaunchOp launch) { kernel(lb, launch, grid); });
}

avila::spirv::AttentionGrid::Block
avila::spirv::AttentionGrid::block(OpBuilder &b, Location loc, Value linear,
                                   int64_t heads, int64_t rows) const {
  Value headCount = arith::ConstantIndexOp::create(b, loc, heads);
  Value batchHead = arith::DivUIOp::create(b, loc, linear, queryBlocks);
  return {arith::DivUIOp::create(b, loc, batchHead, headCount),
          arith::RemUIOp::create(b, loc, batchHead, headCount),
          arith::MulIOp::create(
              b, loc, arith::RemUIOp::create(b, loc, linear, queryBlocks),
              arith::ConstantIndexOp::create(b, loc, rows))};
}
