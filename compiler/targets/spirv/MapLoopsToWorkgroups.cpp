//===- MapLoopsToWorkgroups.cpp - Parallel loops as GPU launches ----------===//
//
// The portable SIMT mapping: one invocation per iteration of a kernel's
// parallel loop, over a linear index, so that any rank and any sizes map
// onto a 1-D workgroup and a 2-D grid within Vulkan's per-axis limits.
// Faster mappings (tiles staged in workgroup memory) belong to the kernels
// that need them (contractions, attention), not to this fallback.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace avila::spirv {
#define GEN_PASS_DEF_MAPLOOPSTOWORKGROUPS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using avila::spirv::kMaxWorkgroupsPerAxis;

namespace {

bool startsAtZeroWithUnitSteps(scf::ParallelOp loop) {
  auto isConstant = [](Value value, int64_t expected) {
    std::optional<int64_t> constant = getConstantIntValue(value);
    return constant && *constant == expected;
  };
  return llvm::all_of(loop.getLowerBound(),
                      [&](Value v) { return isConstant(v, 0); }) &&
         llvm::all_of(loop.getStep(),
                      [&](Value v) { return isConstant(v, 1); });
}

// Kernel arguments are buffers and sizes: a float the host side computes
// from sizes (a mean's 1/count) is computed in the kernel instead, from the
// sizes it gets, and a constant table is read where the kernel has it.
void sinkScalarComputations(gpu::LaunchOp launch) {
  Block &body = launch.getBody().front();
  auto isSinkable = [&](Value value) {
    Operation *op = value.getDefiningOp();
    if (!op || launch->isAncestor(op))
      return false;
    if (isa<memref::GetGlobalOp>(op))
      return true;
    return !value.getType().isIndex() && value.getType().isIntOrFloat() &&
           isMemoryEffectFree(op) && op->getNumRegions() == 0;
  };
  bool sunk = true;
  while (sunk) {
    sunk = false;
    launch.walk([&](Operation *user) {
      for (OpOperand &operand : user->getOpOperands()) {
        if (!isSinkable(operand.get()))
          continue;
        OpBuilder b = OpBuilder::atBlockBegin(&body);
        Operation *copy = b.clone(*operand.get().getDefiningOp());
        Value original = operand.get();
        original.replaceUsesWithIf(copy->getResult(0), [&](OpOperand &use) {
          return launch->isAncestor(use.getOwner());
        });
        sunk = true;
      }
    });
  }
}

void mapLoop(scf::ParallelOp loop, int64_t workgroupSize) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  auto index = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value).getResult();
  };
  Value total = index(1);
  for (Value bound : loop.getUpperBound())
    total = arith::MulIOp::create(b, loc, total, bound);
  Value size = index(workgroupSize);
  // (N + size) / size rather than ceil(N / size): at least one workgroup,
  // as a dispatch needs, also for an empty loop.
  Value groups = arith::DivUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, total, size), size);
  Value rows =
      arith::CeilDivUIOp::create(b, loc, groups, index(kMaxWorkgroupsPerAxis));
  Value columns = arith::CeilDivUIOp::create(b, loc, groups, rows);
  Value one = index(1);
  auto launch =
      gpu::LaunchOp::create(b, loc, columns, rows, one, size, one, one);

  b.setInsertionPointToStart(&launch.getBody().front());
  Value group = arith::AddIOp::create(
      b, loc,
      arith::MulIOp::create(b, loc, launch.getBlockIds().y,
                            launch.getGridSize().x),
      launch.getBlockIds().x);
  Value linear =
      arith::AddIOp::create(b, loc, arith::MulIOp::create(b, loc, group, size),
                            launch.getThreadIds().x);
  Value inRange =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
  auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
  gpu::TerminatorOp::create(b, loc);

  b.setInsertionPointToStart(&guard.getThenRegion().front());
  IRMapping mapping;
  Value rest = linear;
  for (int64_t axis = loop.getNumLoops() - 1; axis >= 0; --axis) {
    Value bound = loop.getUpperBound()[axis];
    Value iv = axis == 0 ? rest : arith::RemUIOp::create(b, loc, rest, bound);
    mapping.map(loop.getInductionVars()[axis], iv);
    if (axis > 0)
      rest = arith::DivUIOp::create(b, loc, rest, bound);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  sinkScalarComputations(launch);
}

// What a kernel's host side may hold besides its loops: sizes, buffers and
// views of them, which the launches' plan describes.
bool isHostOp(Operation *op) {
  return isMemoryEffectFree(op) ||
         isa<memref::AllocOp, func::ReturnOp, gpu::LaunchOp>(op);
}

struct MapLoopsToWorkgroups
    : avila::spirv::impl::MapLoopsToWorkgroupsBase<MapLoopsToWorkgroups> {
  using Base::Base;
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      if (!function->hasAttr("avila.dispatch"))
        continue;
      for (auto loop : llvm::make_early_inc_range(
               function.getBody().front().getOps<scf::ParallelOp>())) {
        if (loop.getNumResults() != 0) {
          loop.emitOpError("reduces across iterations, which one invocation "
                           "per iteration cannot do");
          return signalPassFailure();
        }
        if (!startsAtZeroWithUnitSteps(loop)) {
          loop.emitOpError("must start at 0 with steps of 1 to run on a GPU");
          return signalPassFailure();
        }
        mapLoop(loop, workgroupSize);
      }
      for (Operation &op : function.getBody().front())
        if (!isHostOp(&op)) {
          op.emitOpError("cannot run on the host side of a GPU kernel");
          return signalPassFailure();
        }
    }
  }
};

} // namespace
