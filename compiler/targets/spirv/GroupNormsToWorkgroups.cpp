//===- GroupNormsToWorkgroups.cpp - A norm as one launch -----------------===//
//
// Lowered as linalg, a norm is a dozen launches (blocked partial sums, the
// mean, the same again for the variance, the output), each with a barrier
// and a scratch buffer between them; SD 1.5's U-Net runs ~90 norms a step.
// A workgroup per group holds the group's statistics in registers instead:
// its invocations stride over the group's elements, so neighbours read
// neighbouring elements, once to sum them, once to sum their squared
// deviations from the mean, and once to write the output.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"
#include "compiler/targets/spirv/WorkgroupSum.h"
#include "compiler/transforms/NormFormulas.h"

namespace avila::spirv {
#define GEN_PASS_DEF_GROUPNORMSTOWORKGROUPS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using namespace avila;
using avila::spirv::addAcrossWorkgroup;
using avila::spirv::allocateSubgroupTotals;
using avila::spirv::launchOverYZ;
using avila::spirv::linearWorkgroupYZ;

namespace {

// An invocation's running sum adds this many of its elements before the
// block's sum joins the invocation's total: neither sum then has more than
// a few hundred addends at 2²² values a group (see sumAlong in
// LowerToLinalg.cpp for why a long f32 running sum drifts).
constexpr int64_t kBlock = 64;
// Layer norms' rows (a few hundred to a few thousand features) keep most
// invocations of a small workgroup busy; group norms (thousands to millions
// of values, a few dozen groups per image) want wide workgroups.
constexpr int64_t kShortRow = 4096;
constexpr int64_t kShortRowInvocations = 64;
constexpr int64_t kLongRowInvocations = 256;

using Term = function_ref<Value(OpBuilder &, Value element)>;

ReassociationIndices allAxes(int64_t rank) {
  return llvm::to_vector(llvm::seq<int64_t>(rank));
}

class WorkgroupNorm {
public:
  WorkgroupNorm(FusedGroupNormOp op, int64_t invocations)
      : op(op), loc(op.getLoc()), invocations(invocations) {}

  // The host side: sizes, one-dimensional views, the launch.
  void build(OpBuilder &b) {
    auto type = cast<MemRefType>(op.getInput().getType());
    const int64_t axis = op.getAxis(), groups = op.getNumGroups();
    perGroup = type.getDimSize(axis) / groups;
    Value outer = index(b, 1);
    inner = index(b, 1);
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (d == axis)
        continue;
      Value &product = d < axis ? outer : inner;
      product = arith::MulIOp::create(
          b, loc, product, memref::DimOp::create(b, loc, op.getInput(), d));
    }
    length = arith::MulIOp::create(b, loc, index(b, perGroup), inner);
    Value rows = arith::MulIOp::create(b, loc, outer, index(b, groups));
    input = flatten(b, op.getInput());
    output = flatten(b, op.getInit());
    launchOverYZ(b, loc, index(b, 1), rows, invocations,
                 [&](OpBuilder &kb, gpu::LaunchOp launch) {
                   workgroup(kb, launch, rows, groups);
                 });
  }

private:
  // One workgroup: the group it normalizes, then the kernel.
  void workgroup(OpBuilder &b, gpu::LaunchOp launch, Value rows,
                 int64_t groups) {
    // Constants are made inside the launch: a kernel's arguments are
    // buffers and sizes.
    zeroF = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    Value sumTotals = allocateSubgroupTotals(b, loc, invocations);
    Value squareTotals = allocateSubgroupTotals(b, loc, invocations);
    Value row = linearWorkgroupYZ(b, loc, launch);
    // Workgroups past the last group leave whole, so that the barriers are
    // reached by all invocations of a workgroup or by none.
    auto inGrid = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, row, rows),
        /*withElseRegion=*/false);
    b.setInsertionPointToStart(&inGrid.getThenRegion().front());
    invocation = launch.getThreadIds().x;
    base = arith::MulIOp::create(b, loc, row, length);
    group = arith::RemUIOp::create(b, loc, row, index(b, groups));
    kernel(b, sumTotals, squareTotals);
  }

  Value index(OpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  Value flatten(OpBuilder &b, Value buffer) {
    const int64_t rank = cast<MemRefType>(buffer.getType()).getRank();
    if (rank == 1)
      return buffer;
    return memref::CollapseShapeOp::create(
        b, loc, buffer, SmallVector<ReassociationIndices>{allAxes(rank)});
  }

  // The group's element `element` (0 ≤ element < length).
  Value load(OpBuilder &b, Value element) {
    return memref::LoadOp::create(
        b, loc, input,
        ValueRange{arith::AddIOp::create(b, loc, base, element)});
  }

  // This invocation's share of Σ term(x) over the group: its elements t,
  // t + T, ... summed in blocks of kBlock.
  Value blockedSum(OpBuilder &b, Term term) {
    Value zero = index(b, 0), one = index(b, 1), block = index(b, kBlock);
    Value stride = index(b, invocations);
    // ⌈(length − t) / T⌉, which is 0 where t ≥ length (t < T).
    Value count = arith::DivUIOp::create(
        b, loc,
        arith::SubIOp::create(
            b, loc,
            arith::AddIOp::create(b, loc, length, index(b, invocations - 1)),
            invocation),
        stride);
    Value blocks = arith::DivUIOp::create(
        b, loc, arith::AddIOp::create(b, loc, count, index(b, kBlock - 1)),
        block);
    auto total = scf::ForOp::create(
        b, loc, zero, blocks, one, ValueRange{zeroF},
        [&](OpBuilder &ob, Location, Value blockIndex, ValueRange sum) {
          Value start = arith::MulIOp::create(ob, loc, blockIndex, block);
          Value end = arith::MinUIOp::create(
              ob, loc, arith::AddIOp::create(ob, loc, start, block), count);
          // start < count: the block's loop runs, its result is defined.
          auto blockSum = scf::ForOp::create(
              ob, loc, start, end, one, ValueRange{zeroF},
              [&](OpBuilder &ib, Location, Value k, ValueRange partial) {
                Value element = arith::AddIOp::create(
                    ib, loc, invocation,
                    arith::MulIOp::create(ib, loc, k, stride));
                scf::YieldOp::create(
                    ib, loc,
                    arith::AddFOp::create(ib, loc, partial[0],
                                          term(ib, load(ib, element)))
                        .getResult());
              });
          scf::YieldOp::create(
              ob, loc,
              arith::AddFOp::create(ob, loc, sum[0], blockSum.getResult(0))
                  .getResult());
        });
    // The SPIR-V lowering returns a loop's results through variables only
    // its body stores: an invocation with no elements adds zero, not the
    // undefined result of a loop that ran no iteration.
    Value ran =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, blocks, zero);
    return arith::SelectOp::create(b, loc, ran, total.getResult(0), zeroF);
  }

  void kernel(OpBuilder &b, Value sumTotals, Value squareTotals) {
    Value count = arith::UIToFPOp::create(
        b, loc, b.getF32Type(),
        arith::IndexCastUIOp::create(b, loc, b.getI64Type(), length));
    Value sum = addAcrossWorkgroup(
        b, loc, blockedSum(b, [](OpBuilder &, Value x) { return x; }),
        sumTotals);
    Value mean = arith::DivFOp::create(b, loc, sum, count);
    Value squares = addAcrossWorkgroup(
        b, loc,
        blockedSum(b,
                   [&](OpBuilder &nb, Value x) -> Value {
                     Value centered = arith::SubFOp::create(nb, loc, x, mean);
                     return arith::MulFOp::create(nb, loc, centered, centered);
                   }),
        squareTotals);
    Value variance = arith::DivFOp::create(b, loc, squares, count);

    Value firstChannel =
        arith::MulIOp::create(b, loc, group, index(b, perGroup));
    const double epsilon = op.getEpsilon().convertToDouble();
    scf::ForOp::create(
        b, loc, invocation, length, index(b, invocations), ValueRange{},
        [&](OpBuilder &nb, Location, Value element, ValueRange) {
          Value channel = arith::AddIOp::create(
              nb, loc, firstChannel,
              arith::DivUIOp::create(nb, loc, element, inner));
          Value gamma = memref::LoadOp::create(nb, loc, op.getGamma(), channel);
          Value beta = memref::LoadOp::create(nb, loc, op.getBeta(), channel);
          Value y = normalize(nb, loc, load(nb, element), mean, variance, gamma,
                              beta, epsilon);
          if (op.getSilu())
            y = arith::MulFOp::create(nb, loc, y, sigmoid(nb, loc, y));
          memref::StoreOp::create(
              nb, loc, y, output,
              ValueRange{arith::AddIOp::create(nb, loc, base, element)});
          scf::YieldOp::create(nb, loc);
        });
  }

  FusedGroupNormOp op;
  Location loc;
  int64_t invocations;
  int64_t perGroup = 0;
  // Host side: the elements per channel and per group; the one-dimensional
  // views of the input and init.
  Value inner, length, input, output;
  // Kernel side.
  Value zeroF, invocation, base, group;
};

// Why `op` cannot run as a workgroup per group, or an empty string.
std::string refusal(FusedGroupNormOp op) {
  auto function = dyn_cast<func::FuncOp>(op->getParentOp());
  if (!function || !function->hasAttr("avila.dispatch"))
    return "must be in a kernel's host side (a function marked "
           "avila.dispatch)";
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type)
      return "must be on buffers (run after bufferization)";
    // Half precision stores are made by avila-store-f16, after this pass.
    if (!type.getElementType().isF32())
      return "takes f32 buffers only";
  }
  for (Value buffer : {op.getInput(), op.getInit()}) {
    auto type = cast<MemRefType>(buffer.getType());
    if (!memref::CollapseShapeOp::isGuaranteedCollapsible(
            type, {allAxes(type.getRank())}))
      return "needs contiguous input and init buffers";
  }
  return "";
}

int64_t invocationsFor(FusedGroupNormOp op) {
  auto type = cast<MemRefType>(op.getInput().getType());
  int64_t length = type.getDimSize(op.getAxis()) / op.getNumGroups();
  for (int64_t d = op.getAxis() + 1; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d))
      return kLongRowInvocations;
    length *= type.getDimSize(d);
  }
  return length <= kShortRow ? kShortRowInvocations : kLongRowInvocations;
}

struct GroupNormsToWorkgroups
    : avila::spirv::impl::GroupNormsToWorkgroupsBase<GroupNormsToWorkgroups> {
  void runOnOperation() override {
    SmallVector<FusedGroupNormOp> norms;
    getOperation().walk([&](FusedGroupNormOp op) { norms.push_back(op); });
    for (FusedGroupNormOp op : norms) {
      if (std::string reason = refusal(op); !reason.empty()) {
        op.emitOpError(reason);
        return signalPassFailure();
      }
      OpBuilder b(op);
      WorkgroupNorm(op, invocationsFor(op)).build(b);
      op.erase();
    }
  }
};

} // namespace
