//===- WorkgroupSum.cpp - f32 sums across a workgroup ---------------------===//

#include "compiler/targets/spirv/WorkgroupSum.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"

using namespace mlir;

namespace avila::spirv {

Value allocateSubgroupTotals(OpBuilder &b, Location loc, int64_t invocations) {
  return memref::AllocOp::create(
      b, loc,
      MemRefType::get(
          {invocations}, b.getF32Type(), MemRefLayoutAttrInterface(),
          ::mlir::spirv::StorageClassAttr::get(
              b.getContext(), ::mlir::spirv::StorageClass::Workgroup)));
}

Value addAcrossWorkgroup(OpBuilder &b, Location loc, Value partial,
                         Value totals) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value subgroupTotal = gpu::SubgroupReduceOp::create(
      b, loc, partial, gpu::AllReduceOperation::ADD, /*uniform=*/false);
  auto firstLane = scf::IfOp::create(
      b, loc,
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                            gpu::LaneIdOp::create(b, loc, nullptr), zero),
      /*withElseRegion=*/false);
  {
    OpBuilder tb = OpBuilder::atBlockBegin(&firstLane.getThenRegion().front());
    memref::StoreOp::create(
        tb, loc, subgroupTotal, totals,
        ValueRange{gpu::SubgroupIdOp::create(tb, loc, nullptr)});
  }
  gpu::BarrierOp::create(b, loc);
  // A workgroup has at least one subgroup: the loop runs, so its result is
  // defined in SPIR-V too.
  auto sum = scf::ForOp::create(
      b, loc, zero, gpu::NumSubgroupsOp::create(b, loc, nullptr),
      arith::ConstantIndexOp::create(b, loc, 1),
      ValueRange{arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f))
                     .getResult()},
      [&](OpBuilder &nb, Location, Value subgroup, ValueRange total) {
        Value slot = memref::LoadOp::create(nb, loc, totals, subgroup);
        scf::YieldOp::create(
            nb, loc,
            arith::AddFOp::create(nb, loc, total[0], slot).getResult());
      });
  return sum.getResult(0);
}

} // namespace avila::spirv
