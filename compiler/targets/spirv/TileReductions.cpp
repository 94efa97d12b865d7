//===- TileReductions.cpp - Sums as workgroup reductions ------------------===//
//
// With one invocation per iteration of a loop's parallel dimensions, a sum
// along the innermost dimension is a sequential loop in one invocation,
// whose neighbours read addresses a whole row apart. The normalizations'
// statistics are such sums (the linalg lowering already splits long rows
// into blocks of 256 and sums the partials the same way, see sumAlong):
// run each as a workgroup per sum instead. Its invocations stride over the
// row so that neighbours read neighbouring elements, each accumulating a
// partial sum in f32, and the workgroup adds those up (WorkgroupSum.h);
// one invocation adds the total to the output.
//
//===----------------------------------------------------------------------===//

#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"
#include "compiler/targets/spirv/WorkgroupSum.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace avila::spirv {
#define GEN_PASS_DEF_TILEREDUCTIONS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using avila::spirv::addAcrossWorkgroup;
using avila::spirv::allocateSubgroupTotals;
using avila::spirv::launchOverYZ;
using avila::spirv::linearWorkgroupYZ;

namespace {

// Invocations per workgroup: whole subgroups of 8 (lavapipe), 32 (NVIDIA)
// or 64 (AMD), and rows of the blocked sums (256) take 4 elements each.
constexpr int64_t kInvocations = 64;

// The term `generic` adds to its output per element: the yield is
// `out + term` (either order) and `out` is used nowhere else.
Value summedTerm(linalg::GenericOp generic) {
  Block &body = generic.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto add = yield.getValues().front().getDefiningOp<arith::AddFOp>();
  if (!add || add->getBlock() != &body || !add->hasOneUse())
    return nullptr;
  BlockArgument out = body.getArguments().back();
  if (!out.hasOneUse())
    return nullptr;
  if (add.getLhs() == out)
    return add.getRhs();
  if (add.getRhs() == out)
    return add.getLhs();
  return nullptr;
}

// Whether `generic` is an f32 sum along its innermost dimension that this
// pass runs as workgroups. Sums shorter than a workgroup keep their loop:
// one invocation per row already has more rows than a workgroup has
// invocations to spread over.
bool isTileable(linalg::GenericOp generic) {
  if (!generic.hasPureBufferSemantics() || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 1 ||
      generic.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return false;
  auto function = dyn_cast<func::FuncOp>(generic->getParentOp());
  if (!function || !function->hasAttr("avila.dispatch"))
    return false;
  OpOperand *init = generic.getDpsInitOperand(0);
  auto initType = dyn_cast<MemRefType>(init->get().getType());
  const int64_t loops = generic.getNumLoops();
  if (!initType || !initType.getElementType().isF32() ||
      generic.getMatchingIndexingMap(init) !=
          AffineMap::getMultiDimIdentityMap(loops, generic.getContext())
              .getMajorSubMap(loops - 1) ||
      !summedTerm(generic))
    return false;
  // An input that is the output too would see partial sums.
  if (llvm::is_contained(generic.getDpsInputs(), init->get()))
    return false;
  Block &body = generic.getRegion().front();
  // The body is cloned outside the generic, where linalg.index has no
  // meaning.
  if (!llvm::all_of(body.without_terminator(), [](Operation &op) {
        return isMemoryEffectFree(&op) && op.getNumRegions() == 0 &&
               !isa<linalg::IndexOp>(op);
      }))
    return false;
  const int64_t length = generic.getStaticLoopRanges().back();
  return ShapedType::isDynamic(length) || length >= kInvocations;
}

class WorkgroupSum {
public:
  explicit WorkgroupSum(linalg::GenericOp generic)
      : generic(generic), loc(generic.getLoc()) {}

  void build(OpBuilder &b) {
    SmallVector<Range, 4> ranges =
        cast<linalg::LinalgOp>(generic.getOperation()).createLoopRanges(b, loc);
    for (Range &range : ranges)
      bounds.push_back(getValueOrCreateConstantIndexOp(b, loc, range.size));
    Value sums = index(b, 1);
    for (Value bound : ArrayRef(bounds).drop_back())
      sums = arith::MulIOp::create(b, loc, sums, bound);
    launchOverYZ(
        b, loc, index(b, 1), sums, kInvocations,
        [&](OpBuilder &lb, gpu::LaunchOp launch) { kernel(lb, launch, sums); });
  }

private:
  Value index(OpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  Value equals(OpBuilder &b, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lhs, rhs);
  }

  // The generic's term at iteration `ivs`: its inputs loaded through their
  // indexing maps, its body cloned but for the accumulation.
  Value term(OpBuilder &b, ValueRange ivs) {
    Block &body = generic.getRegion().front();
    IRMapping mapping;
    for (OpOperand *input : generic.getDpsInputOperands()) {
      AffineMap map = generic.getMatchingIndexingMap(input);
      SmallVector<Value> indices;
      for (AffineExpr expr : map.getResults())
        indices.push_back(affine::AffineApplyOp::create(
            b, loc, AffineMap::get(map.getNumDims(), 0, expr), ivs));
      mapping.map(generic.getMatchingBlockArgument(input),
                  memref::LoadOp::create(b, loc, input->get(), indices));
    }
    Operation *accumulate = body.getTerminator()->getOperand(0).getDefiningOp();
    for (Operation &op : body.without_terminator())
      if (&op != accumulate)
        b.clone(op, mapping);
    return mapping.lookupOrDefault(summedTerm(generic));
  }

  void kernel(OpBuilder &b, gpu::LaunchOp launch, Value sums) {
    // Constants are made inside the launch: a kernel's arguments are
    // buffers and sizes.
    Value zero = index(b, 0);
    Value zeroF =
        arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)).getResult();
    Value invocation = launch.getThreadIds().x;
    Value subgroupTotals = allocateSubgroupTotals(b, loc, kInvocations);
    Value linear = linearWorkgroupYZ(b, loc, launch);
    // Workgroups past the last sum leave whole, so that the barrier is
    // reached by all invocations of a workgroup or by none.
    auto inGrid = scf::IfOp::create(
        b, loc,
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, sums),
        /*withElseRegion=*/false);
    b.setInsertionPointToStart(&inGrid.getThenRegion().front());

    // The sum's position, its innermost parallel dimension fastest.
    SmallVector<Value> ivs(bounds.size());
    Value rest = linear;
    for (int64_t axis = bounds.size() - 2; axis >= 0; --axis) {
      ivs[axis] =
          axis == 0
              ? rest
              : arith::RemUIOp::create(b, loc, rest, bounds[axis]).getResult();
      if (axis > 0)
        rest = arith::DivUIOp::create(b, loc, rest, bounds[axis]);
    }

    auto strided = scf::ForOp::create(
        b, loc, invocation, bounds.back(), index(b, kInvocations),
        ValueRange{zeroF},
        [&](OpBuilder &nb, Location, Value element, ValueRange partial) {
          ivs.back() = element;
          Value sum = arith::AddFOp::create(nb, loc, partial[0], term(nb, ivs));
          scf::YieldOp::create(nb, loc, sum);
        });
    // The SPIR-V lowering returns a loop's results through variables only
    // its body stores, so an invocation past the sum's end, whose loop runs
    // no iteration, would add an undefined value (zero on lavapipe, garbage
    // on NVIDIA's driver).
    Value ran = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                      invocation, bounds.back());
    Value partial =
        arith::SelectOp::create(b, loc, ran, strided.getResult(0), zeroF);
    Value total = addAcrossWorkgroup(b, loc, partial, subgroupTotals);

    auto first = scf::IfOp::create(b, loc, equals(b, invocation, zero),
                                   /*withElseRegion=*/false);
    OpBuilder tb = OpBuilder::atBlockBegin(&first.getThenRegion().front());
    Value output = generic.getDpsInitOperand(0)->get();
    ArrayRef<Value> position = ArrayRef(ivs).drop_back();
    Value initial = memref::LoadOp::create(tb, loc, output, position);
    memref::StoreOp::create(tb, loc,
                            arith::AddFOp::create(tb, loc, initial, total),
                            output, position);
  }

  linalg::GenericOp generic;
  Location loc;
  // Host side: the generic's loop bounds.
  SmallVector<Value> bounds;
};

struct TileReductions : avila::spirv::impl::TileReductionsBase<TileReductions> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> sums;
    getOperation().walk([&](linalg::GenericOp generic) {
      if (isTileable(generic))
        sums.push_back(generic);
    });
    for (linalg::GenericOp generic : sums) {
      OpBuilder b(generic);
      WorkgroupSum(generic).build(b);
      generic.erase();
    }
  }
};

} // namespace
