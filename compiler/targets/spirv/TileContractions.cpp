//===- TileContractions.cpp - Contractions as workgroup-tiled GEMMs -------===//
//
// One invocation per output that reads both operands from global memory at
// every depth step is bound by memory traffic. A workgroup that owns a tile
// of outputs instead stages slabs of both operands in workgroup memory once
// and every invocation accumulates a small register tile from there, so each
// global element is read once per tile rather than once per output. Every
// contraction is seen as a GEMM (rows × depth times depth × cols, per
// batch); a convolution as an implicit GEMM whose rows are output pixels and
// whose depth is the filter window, so im2col is never materialized.
//
// Where the device has cooperative matrices (and the operands are f16 in
// memory) the slabs are staged as f16 and each subgroup multiplies 16×16
// fragments of them, accumulating in f32 fragments; the products then pass
// through workgroup memory once, so that the same epilogue (init + sum,
// edges guarded, any output layout) serves both tile kinds. An operand
// read along its contiguous depth is copied 8 halves at a time (one 16-byte
// load and store instead of eight 2-byte ones: the copies, not the
// arithmetic, bound these kernels).
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/spirv/SpirvPasses.h"
#include "compiler/targets/spirv/Words.h"
#include "compiler/targets/spirv/WorkgroupGrid.h"

#include "mlir/Dialect/SPIRV/IR/SPIRVAttributes.h"
#include "mlir/IR/Matchers.h"

namespace avila::spirv {
#define GEN_PASS_DEF_TILECONTRACTIONS
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using avila::spirv::alignedRoot;
using avila::spirv::kMaxWorkgroupsPerAxis;
using avila::spirv::kWordHalves;
using avila::spirv::launchOverYZ;
using avila::spirv::linearWorkgroupYZ;
using namespace avila;

namespace {

// The side of a cooperative-matrix fragment (16×16×16 f16·f16 + f32).
constexpr int64_t kFragment = 16;
// Elements each row of an f16 slab (and of an f32 product row) is padded
// by: rows stay 16-byte aligned, as fragment loads and stores want, and
// land on other banks.
constexpr int64_t kSlabPadding = 8;
constexpr int64_t kProductPadding = 4;

struct TileShape {
  int64_t rows, cols, depth, threadRows, threadCols;
  // Cooperative matrices: the subgroup's invocations (0 for FMA tiles) and
  // the fragments along each side of the square it owns.
  int64_t subgroupSize, fragments;
  // The most depth (window · channels) one workgroup reduces; 0: any.
  int64_t depthSplit;
  bool cooperative() const { return subgroupSize > 0; }
  int64_t subgroupTile() const { return fragments * kFragment; }
  int64_t rowGroups() const {
    return cooperative() ? rows / subgroupTile() : rows / threadRows;
  }
  int64_t colGroups() const {
    return cooperative() ? cols / subgroupTile() : cols / threadCols;
  }
  int64_t subgroups() const { return rowGroups() * colGroups(); }
  int64_t invocations() const {
    return subgroups() * (cooperative() ? subgroupSize : 1);
  }
  // One row of a subgroup's fragments in f32, as the epilogue reads them.
  SmallVector<int64_t> productRowShape() const {
    return {kFragment, subgroupTile() + kProductPadding};
  }
  // The slabs of both operands and, for cooperative matrices, each
  // subgroup's row of products.
  int64_t workgroupBytes() const {
    if (!cooperative())
      return (rows + cols) * depth * 4;
    SmallVector<int64_t> productRow = productRowShape();
    return (slabElements(rows) + slabElements(cols)) * 2 +
           subgroups() * productRow[0] * productRow[1] * 4;
  }
  // An f16 slab of `width` lines in either layout, padded.
  int64_t slabElements(int64_t width) const {
    return std::max(width * (depth + kSlabPadding),
                    depth * (width + kSlabPadding));
  }
};

// The contraction's loops grouped as a GEMM: each group is walked row-major
// (its last loop fastest) by one linear index, except the window loops,
// which run one at a time around the depth loop that the slabs tile.
struct GemmLoops {
  SmallVector<int64_t> batch, rows, cols, window, depth;
};

GemmLoops gemmLoops(ContractionOp op) {
  if (op.getKind() == "conv2d")
    // (n, o, y, x, c, ky, kx): output pixels (n, y, x) are rows, output
    // channels columns, the window (c, ky, kx) the depth. Slabs of c inside
    // loops over (ky, kx) rather than slabs of the linear (c, ky, kx): a
    // depth's loop indices then need no division, which a CPU device runs
    // lane by lane.
    return {{}, {0, 2, 3}, {1}, {5, 6}, {4}};
  GemmLoops loops;
  loops.batch = llvm::to_vector(op.getBatchDims());
  if (op.getMDim() >= 0)
    loops.rows.push_back(op.getMDim());
  if (op.getNDim() >= 0)
    loops.cols.push_back(op.getNDim());
  loops.depth.push_back(op.getKDim());
  return loops;
}

// Only dimensions, constants, sums and products occur in the maps of both
// kinds; anything else is declined rather than evaluated wrongly.
bool isExpandable(AffineExpr expr) {
  if (isa<AffineDimExpr, AffineConstantExpr>(expr))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  return binary &&
         (expr.getKind() == AffineExprKind::Add ||
          expr.getKind() == AffineExprKind::Mul) &&
         isExpandable(binary.getLHS()) && isExpandable(binary.getRHS());
}

Value expand(OpBuilder &b, Location loc, AffineExpr expr, ValueRange loops) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return loops[dim.getPosition()];
  if (auto constant = dyn_cast<AffineConstantExpr>(expr))
    return arith::ConstantIndexOp::create(b, loc, constant.getValue());
  auto binary = cast<AffineBinaryOpExpr>(expr);
  Value lhs = expand(b, loc, binary.getLHS(), loops);
  Value rhs = expand(b, loc, binary.getRHS(), loops);
  if (expr.getKind() == AffineExprKind::Add)
    return arith::AddIOp::create(b, loc, lhs, rhs);
  return arith::MulIOp::create(b, loc, lhs, rhs);
}

// Whether the tiler takes a contraction; the others stay for the naive path.
bool isTileable(ContractionOp op) {
  // Half precision needs its own staging and accumulation types; until they
  // are chosen only f32 is tiled.
  for (Value operand : {op.getLhs(), op.getRhs(), op.getInit()}) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return false;
  }
  // The launch takes the op's place on a kernel's host side (its body),
  // where the later passes take launches from.
  auto function = dyn_cast<func::FuncOp>(op->getParentOp());
  if (!function || !function->hasAttr("avila.dispatch"))
    return false;
  return llvm::all_of(op.getMaps(), [](AffineMap map) {
    return llvm::all_of(map.getResults(), isExpandable);
  });
}

class TiledContraction {
public:
  TiledContraction(ContractionOp op, const TileShape &tile)
      : op(op), tile(tile), loc(op.getLoc()), loops(gemmLoops(op)),
        maps(op.getMaps()) {}

  // Where each loop's size is read: an operand axis indexed by that loop
  // alone; failure where a loop has none or where the column tiles could
  // exceed the grid's x axis.
  LogicalResult measure() {
    sources.assign(maps.front().getNumDims(), {Value(), 0});
    const Value operands[] = {op.getInit(), op.getRhs(), op.getLhs()};
    const AffineMap operandMaps[] = {maps[2], maps[1], maps[0]};
    for (auto [operand, map] : llvm::zip_equal(operands, operandMaps))
      for (auto [axis, result] : llvm::enumerate(map.getResults()))
        if (auto dim = dyn_cast<AffineDimExpr>(result);
            dim && !sources[dim.getPosition()].first)
          sources[dim.getPosition()] = {operand, axis};
    if (llvm::any_of(sources, [](auto source) { return !source.first; }))
      return failure();
    // Every load is made at a clamped place, which an empty depth does not
    // have; depths are static in every network.
    if (llvm::any_of(loops.depth,
                     [&](int64_t loop) { return staticSize(loop) == 0; }))
      return failure();
    // Columns are output channels or features, static in every network; a
    // dynamic count could exceed the x axis, which is not split (an empty
    // one has no tile).
    int64_t columns = 1;
    for (int64_t loop : loops.cols)
      columns *= staticSize(loop);
    const int64_t columnTiles = llvm::divideCeil(columns, tile.cols);
    splitDepth();
    return success(columnTiles >= 1 && columnTiles <= kMaxWorkgroupsPerAxis);
  }

  // Parts of whole slabs along the channel depth, each within the tile's
  // depth split (counting the window), where the contraction is longer.
  void splitDepth() {
    int64_t channels = 1, window = 1;
    for (int64_t loop : loops.depth)
      channels *= staticSize(loop);
    for (int64_t loop : loops.window)
      window *= std::max<int64_t>(staticSize(loop), 1);
    if (tile.depthSplit <= 0 || window * channels <= tile.depthSplit)
      return;
    const int64_t wanted = llvm::divideCeil(window * channels, tile.depthSplit);
    partDepth = llvm::alignTo(llvm::divideCeil(channels, wanted), tile.depth);
    parts = llvm::divideCeil(channels, partDepth);
  }

  // A loop's size where its source axis is static, else 0.
  int64_t staticSize(int64_t loop) {
    auto [operand, axis] = sources[loop];
    int64_t size = cast<MemRefType>(operand.getType()).getDimSize(axis);
    return ShapedType::isDynamic(size) ? 0 : size;
  }

  void build(OpBuilder &b) {
    for (auto [operand, axis] : sources)
      sizes.push_back(b.createOrFold<memref::DimOp>(loc, operand, axis));
    Value lhs = op.getLhs(), rhs = op.getRhs();
    if (hasChannelsInWords()) {
      lhs = channelsLast(b, lhs);
      rhs = channelsLast(b, rhs);
      maps[0] = channelsLast(maps[0]);
      maps[1] = channelsLast(maps[1]);
    }
    slabA = planSlab(b, lhs, maps[0], loops.rows, tile.rows, rhs);
    slabB = planSlab(b, rhs, maps[1], loops.cols, tile.cols, lhs);
    rows = product(b, loops.rows);
    cols = product(b, loops.cols);
    depth = product(b, loops.depth);
    Value batches = product(b, loops.batch);
    rowTiles = arith::CeilDivUIOp::create(b, loc, rows, index(b, tile.rows));
    Value colTiles =
        arith::CeilDivUIOp::create(b, loc, cols, index(b, tile.cols));
    // Row tiles of every batch (and depth part) are one linear index split
    // over y · z.
    batchTiles = arith::MulIOp::create(b, loc, rowTiles, batches);
    tiles = batchTiles;
    if (parts > 1) {
      tiles = arith::MulIOp::create(b, loc, batchTiles, index(b, parts));
      SmallVector<Value> partShape = {batches, byRow() ? cols : rows,
                                      byRow() ? rows : cols};
      partials = memref::AllocOp::create(
          b, loc,
          MemRefType::get({parts, ShapedType::kDynamic, ShapedType::kDynamic,
                           ShapedType::kDynamic},
                          b.getF32Type()),
          partShape);
    }
    launchOverYZ(
        b, loc, colTiles, tiles, tile.invocations(),
        [&](OpBuilder &lb, gpu::LaunchOp launch) { kernel(lb, launch); });
    if (parts > 1)
      sumParts(b, batches);
  }

  // Whether the output's innermost axis is indexed by a row loop (a
  // convolution's pixels): then its elements are visited rows fastest.
  bool byRow() {
    auto last = dyn_cast<AffineDimExpr>(maps[2].getResults().back());
    return last && llvm::is_contained(loops.rows, last.getPosition());
  }

  // init += the sum of the depth parts, one invocation per output, in the
  // output's memory order.
  void sumParts(OpBuilder &b, Value batches) {
    const bool rowsFastest = byRow();
    Value zeroIndex = index(b, 0), oneIndex = index(b, 1);
    scf::ParallelOp::create(
        b, loc, SmallVector<Value>(3, zeroIndex),
        ValueRange{batches, rowsFastest ? cols : rows,
                   rowsFastest ? rows : cols},
        SmallVector<Value>(3, oneIndex),
        [&](OpBuilder &lb, Location, ValueRange at) {
          Value sum;
          for (int64_t part = 0; part < parts; ++part) {
            Value value = memref::LoadOp::create(
                lb, loc, partials,
                ValueRange{index(lb, part), at[0], at[1], at[2]});
            sum = sum ? arith::AddFOp::create(lb, loc, sum, value).getResult()
                      : value;
          }
          SmallVector<Value> values(sizes.size(), Value());
          decode(lb, loops.batch, at[0], values);
          decode(lb, loops.rows, rowsFastest ? at[2] : at[1], values);
          decode(lb, loops.cols, rowsFastest ? at[1] : at[2], values);
          storeOutput(lb, indices(lb, maps[2], values), sum);
        });
  }

private:
  Value index(OpBuilder &b, int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  Value product(OpBuilder &b, ArrayRef<int64_t> group) {
    Value result = index(b, 1);
    for (int64_t loop : group)
      result = arith::MulIOp::create(b, loc, result, sizes[loop]);
    return result;
  }

  Value lessThan(OpBuilder &b, Value lhs, Value rhs) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, lhs, rhs);
  }

  // Sets the loops of a group from its linear index, last loop fastest.
  void decode(OpBuilder &b, ArrayRef<int64_t> group, Value linear,
              SmallVectorImpl<Value> &values) {
    for (int64_t loop : llvm::reverse(group)) {
      bool outermost = loop == group.front();
      values[loop] = outermost
                         ? linear
                         : arith::RemUIOp::create(b, loc, linear, sizes[loop]);
      if (!outermost)
        linear = arith::DivUIOp::create(b, loc, linear, sizes[loop]);
    }
  }

  SmallVector<Value> indices(OpBuilder &b, AffineMap map, ValueRange values) {
    return llvm::map_to_vector(map.getResults(), [&](AffineExpr expr) {
      return expand(b, loc, expr, values);
    });
  }

  // Whether consecutive invocations copy consecutive depths of a slab
  // rather than consecutive lines. FMA tiles: where the operand's innermost
  // index is the depth. Cooperative matrices, whose slabs are laid out as
  // they are copied: where the depth indexes a later axis of the operand
  // than any of the lines (a convolution's weights, whose window loops
  // come last), so that neighbours read nearer places.
  bool depthFastest(AffineMap map, ArrayRef<int64_t> lineLoops) {
    auto axisOf = [&](ArrayRef<int64_t> group) {
      int64_t last = -1;
      for (auto [axis, result] : llvm::enumerate(map.getResults()))
        for (int64_t loop : group)
          if (result.isFunctionOfDim(loop))
            last = axis;
      return last;
    };
    if (tile.cooperative())
      return axisOf(loops.depth) > axisOf(lineLoops);
    auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
    return last && llvm::is_contained(loops.depth, last.getPosition());
  }

  Value workgroupBuffer(OpBuilder &b, ArrayRef<int64_t> shape, Type element) {
    auto type = MemRefType::get(
        shape, element, MemRefLayoutAttrInterface(),
        ::mlir::spirv::StorageClassAttr::get(
            b.getContext(), ::mlir::spirv::StorageClass::Workgroup));
    return memref::AllocOp::create(b, loc, type);
  }

  // One element an invocation copies into a slab at every depth: its place
  // in the slab, and its line's loop indices, decoded once per workgroup —
  // of the last line where the element's own is out of range, so that every
  // load reads inside the operand. A word holds the 8 depths from `level`.
  struct SlabElement {
    Value line, level, lineInRange;
    SmallVector<Value> place, values;
  };

  // How an operand is staged: copied (and laid out) depth fastest or lines
  // fastest, one value or one 16-byte word of 8 halves at a time.
  struct Slab {
    Value operand;
    AffineMap map;
    SmallVector<int64_t> lineLoops;
    int64_t width = 0;
    bool byDepth = false;
    // Words: the operand viewed with its depth axes as one, read at
    // (its `leading` axes, the depth).
    Value words;
    int64_t leading = 0;
    // Kernel side.
    Value buffer, zero;
    SmallVector<SlabElement> elements;
    int64_t lanes() const { return words ? kWordHalves : 1; }
  };

  // Whether a convolution's input channels fill whole 16-byte words: then
  // both operands are copied channels last (input n, y, x, c; weights
  // o, ky, kx, c) in f16, so that the tile's slabs, c-deep at each window
  // position, are contiguous in both and copied in words. The copies cost
  // one pass over the operands; the slabs then need 8 times fewer loads
  // and stores, which bound these kernels.
  bool hasChannelsInWords() {
    if (!tile.cooperative() || op.getKind() != "conv2d" ||
        loops.depth.size() != 1)
      return false;
    auto weights = cast<MemRefType>(op.getRhs().getType());
    auto isDepth = [&](AffineMap map) {
      auto channel = dyn_cast<AffineDimExpr>(map.getResult(1));
      return map.getNumResults() == 4 && channel &&
             channel.getPosition() == static_cast<unsigned>(loops.depth[0]);
    };
    return isDepth(maps[0]) && isDepth(maps[1]) && weights.hasStaticShape() &&
           weights.getDimSize(1) % kWordHalves == 0;
  }

  static AffineMap channelsLast(AffineMap map) {
    return map.getSubMap({0, 2, 3, 1});
  }

  // A zero-padded copy of an image made for the convolution alone: an
  // allocation filled with zeros, then `source` copied into it at (0, 0,
  // top, left). The channels-last copy then reads `source` itself, zeros
  // outside it, and the padded copy, its fill and its copy are erased.
  struct Padding {
    Value source;
    int64_t top = 0, left = 0;
    SmallVector<Operation *> ops;
  };

  // Whether `user` fills all of `buffer` with zeros (linalg.fill or a
  // linalg.map yielding zero).
  static bool isZeroFill(Operation *user, Value buffer) {
    if (auto fill = dyn_cast<linalg::FillOp>(user))
      return fill.getOutputs().front() == buffer &&
             matchPattern(fill.getInputs().front(), m_AnyZeroFloat());
    auto map = dyn_cast<linalg::MapOp>(user);
    if (!map || !map.getInputs().empty() || map.getInit() != buffer)
      return false;
    auto yield = cast<linalg::YieldOp>(map.getMapper().front().getTerminator());
    return matchPattern(yield.getValues().front(), m_AnyZeroFloat());
  }

  std::optional<Padding> findPadding(Value image) {
    auto alloc = image.getDefiningOp<memref::AllocOp>();
    if (!alloc)
      return std::nullopt;
    Padding padding;
    Operation *fill = nullptr;
    memref::CopyOp copy;
    for (Operation *user : image.getUsers()) {
      if (user == op.getOperation() || isa<memref::DeallocOp>(user)) {
        padding.ops.push_back(user);
        continue;
      }
      if (isZeroFill(user, image) && !fill) {
        fill = user;
        continue;
      }
      auto view = dyn_cast<memref::SubViewOp>(user);
      if (!view || copy || !view->hasOneUse())
        return std::nullopt;
      copy = dyn_cast<memref::CopyOp>(*view->getUsers().begin());
      ArrayRef<int64_t> offsets = view.getStaticOffsets();
      if (!copy || copy.getTarget() != view.getResult() ||
          !view.hasUnitStride() || offsets.size() != 4 || offsets[0] != 0 ||
          offsets[1] != 0 || ShapedType::isDynamic(offsets[2]) ||
          ShapedType::isDynamic(offsets[3]))
        return std::nullopt;
      padding.source = copy.getSource();
      padding.top = offsets[2];
      padding.left = offsets[3];
      padding.ops.push_back(copy);
      padding.ops.push_back(view);
    }
    // The fill comes first, the copy after it, the convolution last.
    if (!fill || !copy || fill->getBlock() != op->getBlock() ||
        copy->getBlock() != op->getBlock() || !fill->isBeforeInBlock(copy) ||
        !copy->isBeforeInBlock(op))
      return std::nullopt;
    padding.ops.push_back(fill);
    padding.ops.push_back(alloc);
    llvm::erase(padding.ops, op.getOperation());
    return padding;
  }

  // A copy of an NCHW (or OIHW) operand as f16 in NHWC (OHWI) order. An
  // image (dynamic height and width) is copied by a loop over the copy's
  // elements, channels fastest; weights (a static window) by a loop over
  // (o, c), each iteration copying its whole window: it reads a contiguous
  // run, and neighbours, at neighbouring channels, store neighbours at each
  // window position.
  Value channelsLast(OpBuilder &b, Value operand) {
    auto type = cast<MemRefType>(operand.getType());
    SmallVector<int64_t> shape;
    SmallVector<Value> dynamicSizes, sizes;
    for (int64_t axis : {0, 2, 3, 1}) {
      shape.push_back(type.getDimSize(axis));
      Value size = b.createOrFold<memref::DimOp>(loc, operand, axis);
      sizes.push_back(size);
      if (type.isDynamicDim(axis))
        dynamicSizes.push_back(size);
    }
    Value copy = memref::AllocOp::create(
        b, loc, MemRefType::get(shape, b.getF16Type()), dynamicSizes);
    auto half = [&](OpBuilder &lb, ValueRange nchw) {
      return arith::TruncFOp::create(
          lb, loc, lb.getF16Type(),
          memref::LoadOp::create(lb, loc, operand, nchw));
    };
    if (type.isDynamicDim(2) || type.isDynamicDim(3)) {
      std::optional<Padding> padding = findPadding(operand);
      scf::ParallelOp::create(
          b, loc, SmallVector<Value>(4, index(b, 0)), sizes,
          SmallVector<Value>(4, index(b, 1)),
          [&](OpBuilder &lb, Location, ValueRange at) {
            Value value =
                padding ? unpadded(lb, *padding, at)
                        : half(lb, ValueRange{at[0], at[3], at[1], at[2]});
            memref::StoreOp::create(lb, loc, value, copy, at);
          });
      if (padding)
        erasedAfter.append(padding->ops);
      return copy;
    }
    scf::ParallelOp::create(
        b, loc, SmallVector<Value>(2, index(b, 0)),
        ValueRange{sizes[0], sizes[3]}, SmallVector<Value>(2, index(b, 1)),
        [&](OpBuilder &lb, Location, ValueRange oc) {
          SmallVector<std::pair<Value, SmallVector<Value>>> window;
          for (int64_t y = 0; y < type.getDimSize(2); ++y)
            for (int64_t x = 0; x < type.getDimSize(3); ++x) {
              Value ky = index(lb, y), kx = index(lb, x);
              window.push_back({half(lb, ValueRange{oc[0], oc[1], ky, kx}),
                                {oc[0], ky, kx, oc[1]}});
            }
          for (auto &[value, at] : window)
            memref::StoreOp::create(lb, loc, value, copy, at);
        });
    return copy;
  }

  // The padded image's value at `nhwc` as f16: the source's, or zero in
  // the border. The load is made at a clamped place.
  Value unpadded(OpBuilder &b, const Padding &padding, ValueRange nhwc) {
    Value inside = arith::ConstantIntOp::create(b, loc, 1, 1);
    SmallVector<Value> at = {nhwc[0], nhwc[3]};
    for (auto [axis, offset] :
         {std::pair<int64_t, int64_t>{2, padding.top}, {3, padding.left}}) {
      Value padded = nhwc[axis - 1];
      Value size = b.createOrFold<memref::DimOp>(loc, padding.source, axis);
      // Signed: the border before the image is negative.
      Value place = arith::SubIOp::create(b, loc, padded, index(b, offset));
      inside = arith::AndIOp::create(
          b, loc, inside,
          arith::AndIOp::create(
              b, loc,
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, place,
                                    index(b, 0)),
              arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, place,
                                    size)));
      Value last = arith::SubIOp::create(b, loc, size, index(b, 1));
      at.push_back(arith::MinSIOp::create(
          b, loc, arith::MaxSIOp::create(b, loc, place, index(b, 0)), last));
    }
    Value value = arith::TruncFOp::create(
        b, loc, b.getF16Type(),
        memref::LoadOp::create(b, loc, padding.source,
                               ValueRange{at[0], at[1], at[2], at[3]}));
    return arith::SelectOp::create(
        b, loc, inside, value,
        arith::ConstantOp::create(b, loc, b.getF16FloatAttr(0.0f)));
  }

  // The operand axis from which its results are the depth loops in order
  // (followed only by axes of size 1), where the operand's depth is
  // contiguous, whole words long, starting at an aligned buffer's first
  // element, and read by no other operand's slab: such a slab is copied in
  // words. The runtime binds every buffer 16-byte aligned.
  std::optional<int64_t> wordAxis(Value operand, AffineMap map,
                                  const Slab &slab, Value other) {
    auto type = cast<MemRefType>(operand.getType());
    Value root = alignedRoot(operand);
    if (!tile.cooperative() || !slab.byDepth || !root ||
        !type.getLayout().isIdentity() || root == alignedRoot(other) ||
        root == alignedRoot(op.getInit()) ||
        (slab.width * tile.depth / kWordHalves) % tile.invocations())
      return std::nullopt;
    ArrayRef<AffineExpr> results = map.getResults();
    const int64_t axis =
        llvm::find_if(results,
                      [&](AffineExpr result) {
                        return llvm::any_of(loops.depth, [&](int64_t loop) {
                          return result.isFunctionOfDim(loop);
                        });
                      }) -
        results.begin();
    if (axis + loops.depth.size() > results.size())
      return std::nullopt;
    int64_t halves = 1;
    for (auto [i, loop] : llvm::enumerate(loops.depth)) {
      auto dim = dyn_cast<AffineDimExpr>(results[axis + i]);
      if (!dim || dim.getPosition() != static_cast<unsigned>(loop) ||
          type.isDynamicDim(axis + i))
        return std::nullopt;
      halves *= type.getDimSize(axis + i);
    }
    for (int64_t rest = axis + loops.depth.size(); rest < type.getRank();
         ++rest)
      if (type.getDimSize(rest) != 1)
        return std::nullopt;
    if (halves % kWordHalves)
      return std::nullopt;
    return axis;
  }

  // On the host side: how `operand` is staged, and for words its view.
  Slab planSlab(OpBuilder &b, Value operand, AffineMap map,
                ArrayRef<int64_t> lineLoops, int64_t width, Value other) {
    Slab slab;
    slab.operand = operand;
    slab.map = map;
    slab.lineLoops.assign(lineLoops.begin(), lineLoops.end());
    slab.width = width;
    slab.byDepth = depthFastest(map, lineLoops);
    std::optional<int64_t> axis = wordAxis(operand, map, slab, other);
    if (!axis)
      return slab;
    slab.leading = *axis;
    const int64_t rank = cast<MemRefType>(operand.getType()).getRank();
    if (*axis == rank - 1) {
      slab.words = operand;
      return slab;
    }
    SmallVector<ReassociationIndices> groups;
    for (int64_t i = 0; i < *axis; ++i)
      groups.push_back({i});
    groups.emplace_back();
    for (int64_t i = *axis; i < rank; ++i)
      groups.back().push_back(i);
    slab.words = memref::CollapseShapeOp::create(b, loc, operand, groups);
    return slab;
  }

  // FMA tiles read both slabs depth-major. Cooperative-matrix slabs are
  // f16, laid out in the order they are copied (`byDepth`: lines × depth,
  // else depth × lines), so that neighbouring invocations store to
  // neighbouring places; their fragments are loaded transposed where the
  // layout is not the operand's (lhs rows × depth, rhs depth × columns).
  // A slab copied in words holds them as `vector<4xi32>`, which fragments
  // are loaded from as they are (their strides count words).
  void allocateSlab(OpBuilder &b, Slab &slab) {
    if (!tile.cooperative()) {
      slab.buffer =
          workgroupBuffer(b, {tile.depth, slab.width}, b.getF32Type());
      slab.zero = zero;
      return;
    }
    if (slab.words) {
      auto word = avila::spirv::wordType(b.getContext());
      slab.buffer = workgroupBuffer(
          b, {slab.width, (tile.depth + kSlabPadding) / kWordHalves}, word);
      slab.zero = arith::ConstantOp::create(
          b, loc, word, DenseElementsAttr::get(word, b.getI32IntegerAttr(0)));
      return;
    }
    SmallVector<int64_t> shape =
        slab.byDepth
            ? SmallVector<int64_t>{slab.width, tile.depth + kSlabPadding}
            : SmallVector<int64_t>{tile.depth, slab.width + kSlabPadding};
    slab.buffer = workgroupBuffer(b, shape, b.getF16Type());
    slab.zero = arith::ConstantOp::create(b, loc, b.getF16FloatAttr(0.0f));
  }

  bool linesMajor(const Slab &slab) {
    return tile.cooperative() && slab.byDepth;
  }

  // A slab's place of `line` at `slot`, the depth in the slab's elements
  // (words or values).
  SmallVector<Value> slabIndex(const Slab &slab, Value slot, Value line) {
    if (linesMajor(slab))
      return {line, slot};
    return {slot, line};
  }

  void placeElements(OpBuilder &b, Slab &slab, Value lineCount, Value first) {
    const int64_t lanes = slab.lanes();
    Value lastLine = arith::SubIOp::create(b, loc, lineCount, index(b, 1));
    const int64_t levels = tile.depth / lanes;
    for (int64_t step = 0; step < slab.width * levels / tile.invocations();
         ++step) {
      Value element = arith::AddIOp::create(
          b, loc, invocation, index(b, step * tile.invocations()));
      Value fast = index(b, slab.byDepth ? levels : slab.width);
      Value minor = arith::RemUIOp::create(b, loc, element, fast);
      Value major = arith::DivUIOp::create(b, loc, element, fast);
      Value line = slab.byDepth ? major : minor;
      Value slot = slab.byDepth ? minor : major;
      Value level = lanes > 1
                        ? arith::MulIOp::create(b, loc, slot, index(b, lanes))
                        : slot;
      SlabElement slabElement{line, level, Value(), slabIndex(slab, slot, line),
                              loopValues};
      Value globalLine = arith::AddIOp::create(b, loc, first, line);
      slabElement.lineInRange = lessThan(b, globalLine, lineCount);
      decode(b, slab.lineLoops,
             arith::MinUIOp::create(b, loc, globalLine, lastLine),
             slabElement.values);
      slab.elements.push_back(std::move(slabElement));
    }
  }

  // The values the invocation copies into a slab of an operand for the
  // depths from `k0` at the current window position, in the slab's type:
  // zeros where a line or a depth is out of range, so that the products
  // they add are zero. Every load is made, from a clamped place, so that
  // the loads of a slab issue together, without branches.
  SmallVector<Value> fetchSlab(OpBuilder &b, const Slab &slab, Value k0) {
    Type slabElement = cast<MemRefType>(slab.buffer.getType()).getElementType();
    Value lastDepth =
        arith::SubIOp::create(b, loc, depth, index(b, slab.lanes()));
    SmallVector<Value> fetched;
    for (const SlabElement &element : slab.elements) {
      Value globalDepth = arith::AddIOp::create(b, loc, k0, element.level);
      Value inRange = arith::AndIOp::create(b, loc, element.lineInRange,
                                            lessThan(b, globalDepth, depthEnd));
      Value clamped = arith::MinUIOp::create(b, loc, globalDepth, lastDepth);
      SmallVector<Value> values = element.values;
      for (int64_t loop : loops.window)
        values[loop] = windowValues[loop];
      Value value = slab.words ? loadWord(b, slab, values, clamped)
                               : loadValue(b, slab, values, clamped);
      if (value.getType() != slabElement)
        value = arith::TruncFOp::create(b, loc, slabElement, value);
      fetched.push_back(
          arith::SelectOp::create(b, loc, inRange, value, slab.zero));
    }
    return fetched;
  }

  Value loadValue(OpBuilder &b, const Slab &slab, SmallVector<Value> &values,
                  Value depthIndex) {
    decode(b, loops.depth, depthIndex, values);
    return memref::LoadOp::create(b, loc, slab.operand,
                                  indices(b, slab.map, values));
  }

  // The 8 depths from `depthIndex` as one word.
  Value loadWord(OpBuilder &b, const Slab &slab, ArrayRef<Value> values,
                 Value depthIndex) {
    SmallVector<Value> at = llvm::map_to_vector(
        slab.map.getResults().take_front(slab.leading),
        [&](AffineExpr expr) { return expand(b, loc, expr, values); });
    at.push_back(depthIndex);
    return avila::spirv::loadWord(b, loc, slab.words, at);
  }

  void storeSlab(OpBuilder &b, const Slab &slab, ValueRange values) {
    for (auto [element, value] : llvm::zip_equal(slab.elements, values))
      memref::StoreOp::create(b, loc, value, slab.buffer, element.place);
  }

  SmallVector<Value> fetchSlabs(OpBuilder &b, Value k0) {
    SmallVector<Value> values = fetchSlab(b, slabA, k0);
    llvm::append_range(values, fetchSlab(b, slabB, k0));
    return values;
  }

  // The slabs at one window position, or the window loops around them from
  // `window` on. At a window position the values of the first slabs are
  // fetched before the loop, and each iteration fetches the next slabs'
  // while it multiplies the current ones, so that the loads' latency hides
  // behind the arithmetic.
  SmallVector<Value> accumulate(OpBuilder &b, size_t window,
                                ValueRange accumulators) {
    if (window < loops.window.size()) {
      auto loop = scf::ForOp::create(
          b, loc, index(b, 0), sizes[loops.window[window]], index(b, 1),
          accumulators, [&](OpBuilder &nb, Location, Value iv, ValueRange acc) {
            windowValues[loops.window[window]] = iv;
            scf::YieldOp::create(nb, loc, accumulate(nb, window + 1, acc));
          });
      return SmallVector<Value>(loop.getResults());
    }
    const size_t count = accumulators.size();
    SmallVector<Value> carried(accumulators);
    llvm::append_range(carried, fetchSlabs(b, depthBegin));
    auto loop = scf::ForOp::create(
        b, loc, depthBegin, depthEnd, index(b, tile.depth), carried,
        [&](OpBuilder &nb, Location, Value k0, ValueRange values) {
          ValueRange fetched = values.drop_front(count);
          const size_t countA = slabA.elements.size();
          storeSlab(nb, slabA, fetched.take_front(countA));
          storeSlab(nb, slabB, fetched.drop_front(countA));
          gpu::BarrierOp::create(nb, loc);
          SmallVector<Value> next = fetchSlabs(
              nb, arith::AddIOp::create(nb, loc, k0, index(nb, tile.depth)));
          SmallVector<Value> sums =
              tile.cooperative()
                  ? multiplyFragments(nb, values.take_front(count))
                  : multiplySlab(nb, values.take_front(count));
          // The next slab overwrites this one only after every invocation
          // has read it.
          gpu::BarrierOp::create(nb, loc);
          llvm::append_range(sums, next);
          scf::YieldOp::create(nb, loc, sums);
        });
    return SmallVector<Value>(loop.getResults().take_front(count));
  }

  // The register tile of one invocation: rows rowGroup + i · rowGroups,
  // columns colGroup + j · colGroups of the workgroup tile, so that
  // neighbouring invocations store neighbouring columns.
  Value tileRow(OpBuilder &b, int64_t i) {
    return arith::AddIOp::create(b, loc, rowGroup,
                                 index(b, i * tile.rowGroups()));
  }
  Value tileCol(OpBuilder &b, int64_t j) {
    return arith::AddIOp::create(b, loc, colGroup,
                                 index(b, j * tile.colGroups()));
  }

  // acc[i · threadCols + j] += Σ over the slab a[i] · b[j], from workgroup
  // memory.
  SmallVector<Value> multiplySlab(OpBuilder &b, ValueRange accumulators) {
    auto loop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, tile.depth), index(b, 1), accumulators,
        [&](OpBuilder &nb, Location, Value level, ValueRange acc) {
          SmallVector<Value> a, bv, next;
          for (int64_t i = 0; i < tile.threadRows; ++i)
            a.push_back(memref::LoadOp::create(
                nb, loc, slabA.buffer, ValueRange{level, tileRow(nb, i)}));
          for (int64_t j = 0; j < tile.threadCols; ++j)
            bv.push_back(memref::LoadOp::create(
                nb, loc, slabB.buffer, ValueRange{level, tileCol(nb, j)}));
          for (int64_t i = 0; i < tile.threadRows; ++i)
            for (int64_t j = 0; j < tile.threadCols; ++j)
              next.push_back(math::FmaOp::create(nb, loc, a[i], bv[j],
                                                 acc[i * tile.threadCols + j]));
          scf::YieldOp::create(nb, loc, next);
        });
    return SmallVector<Value>(loop.getResults());
  }

  Type fragmentType(OpBuilder &b, StringRef operand) {
    Type element = operand == "COp" ? b.getF32Type() : b.getF16Type();
    return gpu::MMAMatrixType::get({kFragment, kFragment}, element, operand);
  }

  IntegerAttr leadDimension(OpBuilder &b, Value buffer) {
    return b.getIndexAttr(cast<MemRefType>(buffer.getType()).getDimSize(1));
  }

  // The subgroup's fragment row i, column j of the workgroup tile.
  Value fragmentRow(OpBuilder &b, int64_t i) {
    return arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, rowGroup, index(b, tile.subgroupTile())),
        index(b, i * kFragment));
  }
  Value fragmentCol(OpBuilder &b, int64_t j) {
    return arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, colGroup, index(b, tile.subgroupTile())),
        index(b, j * kFragment));
  }

  // The fragment of a slab at a line and a level: lhs fragments are rows ×
  // depth, rhs fragments depth × columns, read transposed from a slab laid
  // out the other way.
  Value loadFragment(OpBuilder &b, StringRef operand, const Slab &slab,
                     Value line, int64_t level) {
    const bool lhs = &slab == &slabA;
    SmallVector<Value> at =
        slabIndex(slab, index(b, level / slab.lanes()), line);
    const bool transposed = linesMajor(slab) != lhs;
    return gpu::SubgroupMmaLoadMatrixOp::create(
        b, loc, fragmentType(b, operand), slab.buffer, at,
        leadDimension(b, slab.buffer),
        transposed ? b.getUnitAttr() : UnitAttr());
  }

  // acc[i · F + j] += the subgroup's slab rows i times its columns j, one
  // fragment depth at a time.
  SmallVector<Value> multiplyFragments(OpBuilder &b, ValueRange accumulators) {
    const int64_t fragments = tile.fragments;
    SmallVector<Value> acc(accumulators);
    for (int64_t level = 0; level < tile.depth; level += kFragment) {
      SmallVector<Value> a, bv;
      for (int64_t i = 0; i < fragments; ++i)
        a.push_back(loadFragment(b, "AOp", slabA, fragmentRow(b, i), level));
      for (int64_t j = 0; j < fragments; ++j)
        bv.push_back(loadFragment(b, "BOp", slabB, fragmentCol(b, j), level));
      for (int64_t i = 0; i < fragments; ++i)
        for (int64_t j = 0; j < fragments; ++j)
          acc[i * fragments + j] = gpu::SubgroupMmaComputeOp::create(
              b, loc, a[i], bv[j], acc[i * fragments + j], UnitAttr(),
              UnitAttr());
    }
    return acc;
  }

  void kernel(OpBuilder &b, gpu::LaunchOp launch) {
    zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f));
    invocation = launch.getThreadIds().x;
    // FMA tiles: row and column group of one invocation; cooperative
    // matrices: of one subgroup (the invocation's index over the subgroup
    // size, as subgroup ids do not survive the SPIR-V conversion).
    Value group = tile.cooperative()
                      ? arith::DivUIOp::create(b, loc, invocation,
                                               index(b, tile.subgroupSize))
                      : invocation;
    subgroup = group;
    rowGroup =
        arith::DivUIOp::create(b, loc, group, index(b, tile.colGroups()));
    colGroup =
        arith::RemUIOp::create(b, loc, group, index(b, tile.colGroups()));
    allocateSlab(b, slabA);
    allocateSlab(b, slabB);
    Value linearTile = linearWorkgroupYZ(b, loc, launch);
    // Whole workgroups past the last tile leave together, so every barrier
    // is reached by all invocations of a workgroup or by none.
    auto inGrid = scf::IfOp::create(b, loc, lessThan(b, linearTile, tiles),
                                    /*withElseRegion=*/false);
    b.setInsertionPointToStart(&inGrid.getThenRegion().front());
    // The depth part is the slowest factor of the tile's index.
    Value batchTile = linearTile;
    depthBegin = index(b, 0);
    depthEnd = depth;
    if (parts > 1) {
      part = arith::DivUIOp::create(b, loc, linearTile, batchTiles);
      batchTile = arith::RemUIOp::create(b, loc, linearTile, batchTiles);
      depthBegin = arith::MulIOp::create(b, loc, part, index(b, partDepth));
      depthEnd = arith::MinUIOp::create(
          b, loc, depth,
          arith::AddIOp::create(b, loc, depthBegin, index(b, partDepth)));
    }
    loopValues.assign(sizes.size(), Value());
    batchIndex = arith::DivUIOp::create(b, loc, batchTile, rowTiles);
    decode(b, loops.batch, batchIndex, loopValues);
    Value firstRow = arith::MulIOp::create(
        b, loc, arith::RemUIOp::create(b, loc, batchTile, rowTiles),
        index(b, tile.rows));
    Value firstCol = arith::MulIOp::create(b, loc, launch.getBlockIds().x,
                                           index(b, tile.cols));
    placeElements(b, slabA, rows, firstRow);
    placeElements(b, slabB, cols, firstCol);
    windowValues.assign(sizes.size(), Value());
    if (!tile.cooperative()) {
      SmallVector<Value> initial(tile.threadRows * tile.threadCols, zero);
      store(b, firstRow, firstCol, accumulate(b, 0, initial));
      return;
    }
    Value zeros = gpu::SubgroupMmaConstantMatrixOp::create(
        b, loc, fragmentType(b, "COp"), zero);
    const int64_t fragments = tile.fragments;
    SmallVector<Value> sums =
        accumulate(b, 0, SmallVector<Value>(fragments * fragments, zeros));
    // Each subgroup's rows of products, one above the other.
    SmallVector<int64_t> productRow = tile.productRowShape();
    Value products = workgroupBuffer(
        b, {tile.subgroups() * productRow[0], productRow[1]}, b.getF32Type());
    Value ownRow = arith::MulIOp::create(b, loc, subgroup, index(b, kFragment));
    for (int64_t i = 0; i < fragments; ++i) {
      for (int64_t j = 0; j < fragments; ++j)
        gpu::SubgroupMmaStoreMatrixOp::create(
            b, loc, sums[i * fragments + j], products,
            ValueRange{ownRow, index(b, j * kFragment)},
            leadDimension(b, products), UnitAttr());
      gpu::BarrierOp::create(b, loc);
      storeProductRow(
          b, arith::AddIOp::create(b, loc, firstRow, fragmentRow(b, i)),
          arith::AddIOp::create(b, loc, firstCol, fragmentCol(b, 0)), products,
          ownRow);
      // The next row overwrites this one only after every invocation has
      // read it.
      gpu::BarrierOp::create(b, loc);
    }
  }

  // out = init + products for one row of the subgroup's fragments (16 rows
  // from `row`, the subgroup's columns from `col`) where the outputs exist,
  // each of the subgroup's invocations taking every subgroup-size-th element
  // in the order the output is laid out in memory, so that neighbouring
  // invocations store neighbours.
  void storeProductRow(OpBuilder &b, Value row, Value col, Value products,
                       Value ownRow) {
    const bool rowsFastest = byRow();
    const int64_t fast = rowsFastest ? kFragment : tile.subgroupTile();
    Value lane =
        arith::RemUIOp::create(b, loc, invocation, index(b, tile.subgroupSize));
    for (int64_t step = 0;
         step < kFragment * tile.subgroupTile() / tile.subgroupSize; ++step) {
      Value element = arith::AddIOp::create(b, loc, lane,
                                            index(b, step * tile.subgroupSize));
      Value minor = arith::RemUIOp::create(b, loc, element, index(b, fast));
      Value major = arith::DivUIOp::create(b, loc, element, index(b, fast));
      Value productRow = rowsFastest ? minor : major;
      Value productCol = rowsFastest ? major : minor;
      Value sum = memref::LoadOp::create(
          b, loc, products,
          ValueRange{arith::AddIOp::create(b, loc, ownRow, productRow),
                     productCol});
      accumulateInto(b, arith::AddIOp::create(b, loc, row, productRow),
                     arith::AddIOp::create(b, loc, col, productCol), sum);
    }
  }

  // init[row, col] += sum where that output exists; with depth parts, the
  // part's sum into its scratch buffer instead.
  void accumulateInto(OpBuilder &b, Value row, Value col, Value sum) {
    Value inRange = arith::AndIOp::create(b, loc, lessThan(b, row, rows),
                                          lessThan(b, col, cols));
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    OpBuilder tb = OpBuilder::atBlockBegin(&guard.getThenRegion().front());
    if (parts > 1) {
      memref::StoreOp::create(tb, loc, sum, partials,
                              byRow() ? ValueRange{part, batchIndex, col, row}
                                      : ValueRange{part, batchIndex, row, col});
      return;
    }
    SmallVector<Value> values = loopValues;
    decode(tb, loops.rows, row, values);
    decode(tb, loops.cols, col, values);
    SmallVector<Value> at = indices(tb, maps[2], values);
    storeOutput(tb, at, sum);
  }

  // The output at `at` given the contraction's sum there: init + sum, or,
  // where the init was zero-filled just before, sum (+ the bias the
  // dispatch adds just after), so that neither needs a launch of its own.
  // An all-parallel generic whose one output (identity-indexed) is the
  // init, or another buffer where the init is scratch only it reads, and
  // whose inputs include the init, identity-indexed; its body elementwise.
  bool isEpilogue(linalg::GenericOp generic) {
    if (generic.getNumDpsInits() != 1 ||
        generic.getNumParallelLoops() != generic.getNumLoops())
      return false;
    SmallVector<AffineMap> genericMaps = generic.getIndexingMapsArray();
    Value out = generic.getDpsInits().front();
    if (!genericMaps.back().isIdentity() ||
        generic.getRegion().front().getArguments().back().getNumUses())
      return false;
    bool readsProducts = false;
    for (auto [input, map] : llvm::zip(generic.getDpsInputs(), genericMaps)) {
      if (input == op.getInit()) {
        if (!map.isIdentity() || readsProducts)
          return false;
        readsProducts = true;
      } else if (!map.isProjectedPermutation() || input == out) {
        return false;
      }
    }
    if (!readsProducts ||
        llvm::any_of(generic.getRegion().front().without_terminator(),
                     [](Operation &bodyOp) {
                       return !isMemoryEffectFree(&bodyOp) ||
                              bodyOp.getNumRegions() ||
                              isa<linalg::IndexOp>(bodyOp);
                     }))
      return false;
    if (out == op.getInit())
      return true;
    // Another output: the init must be scratch that only the fill, the
    // contraction, this generic and its deallocation use.
    if (!op.getInit().getDefiningOp<memref::AllocOp>())
      return false;
    return llvm::all_of(op.getInit().getUsers(), [&](Operation *user) {
      return user == op.getOperation() || user == generic.getOperation() ||
             user == zeroFill || isa<memref::DeallocOp>(user);
    });
  }

  // Stores the products `sum` at `at`: added to the init where no zero
  // fill was taken over, else through the elementwise epilogue, whose body
  // runs on the products and its other operands' values there.
  void storeOutput(OpBuilder &b, ValueRange at, Value sum) {
    if (!zeroFill) {
      memref::StoreOp::create(
          b, loc,
          arith::AddFOp::create(
              b, loc, memref::LoadOp::create(b, loc, op.getInit(), at), sum),
          op.getInit(), at);
      return;
    }
    if (!epilogue) {
      memref::StoreOp::create(b, loc, sum, op.getInit(), at);
      return;
    }
    IRMapping values;
    Block &body = epilogue.getRegion().front();
    for (auto [input, map, argument] :
         llvm::zip(epilogue.getDpsInputs(), epilogue.getIndexingMapsArray(),
                   body.getArguments())) {
      if (input == op.getInit()) {
        values.map(argument, sum);
        continue;
      }
      SmallVector<Value> place =
          llvm::map_to_vector(map.getResults(), [&](AffineExpr expr) {
            return expand(b, loc, expr, at);
          });
      values.map(argument, memref::LoadOp::create(b, loc, input, place));
    }
    for (Operation &bodyOp : body.without_terminator())
      b.clone(bodyOp, values);
    Value result = values.lookupOrDefault(
        cast<linalg::YieldOp>(body.getTerminator()).getValues().front());
    memref::StoreOp::create(b, loc, result, epilogue.getDpsInits().front(), at);
  }

public:
  // The zero fill of the init just before the contraction and the
  // elementwise work just after it that reads the products (a generic adding
  // the bias, a residual, or both), which the tiles' stores take over:
  // erased once the launch is built. The epilogue may write another buffer
  // where the init is scratch that nothing else reads.
  void findEpilogue() {
    auto effectFree = [](Operation *candidate) {
      return candidate && isMemoryEffectFree(candidate);
    };
    Operation *before = op->getPrevNode();
    while (effectFree(before))
      before = before->getPrevNode();
    if (!before || !isZeroFill(before, op.getInit()))
      return;
    zeroFill = before;
    Operation *after = op->getNextNode();
    while (effectFree(after))
      after = after->getNextNode();
    auto generic = dyn_cast_or_null<linalg::GenericOp>(after);
    if (generic && isEpilogue(generic))
      epilogue = generic;
  }

  // The buffers the tiles made unneeded (padded copies the channels-last
  // copies read through, products' scratch an epilogue wrote elsewhere)
  // with their fills, copies and deallocations, erased once the
  // contraction is.
  void eraseReplacedBuffers() {
    for (Operation *replaced : erasedAfter)
      replaced->erase();
  }

  void eraseEpilogue() {
    if (zeroFill)
      zeroFill->erase();
    if (!epilogue)
      return;
    Value out = epilogue.getDpsInits().front();
    epilogue.erase();
    if (out == op.getInit())
      return;
    // The init was scratch for the epilogue alone: only deallocations use
    // it besides the contraction.
    for (Operation *user : op.getInit().getUsers())
      if (user != op.getOperation())
        erasedAfter.push_back(user);
    erasedAfter.push_back(op.getInit().getDefiningOp());
  }

private:
  // out = init + acc where the output exists: the init holds zeros or the
  // residual the contraction adds to.
  void store(OpBuilder &b, Value firstRow, Value firstCol, ValueRange acc) {
    for (int64_t i = 0; i < tile.threadRows; ++i)
      for (int64_t j = 0; j < tile.threadCols; ++j)
        accumulateInto(b,
                       arith::AddIOp::create(b, loc, firstRow, tileRow(b, i)),
                       arith::AddIOp::create(b, loc, firstCol, tileCol(b, j)),
                       acc[i * tile.threadCols + j]);
  }

  ContractionOp op;
  const TileShape &tile;
  Location loc;
  GemmLoops loops;
  SmallVector<AffineMap> maps;
  SmallVector<std::pair<Value, int64_t>> sources;
  // Host side.
  SmallVector<Value> sizes;
  Value rows, cols, depth, rowTiles, batchTiles, tiles;
  Operation *zeroFill = nullptr;
  linalg::GenericOp epilogue;

  SmallVector<Operation *> erasedAfter;
  // Depth parts: how many, how deep (channels), and their f32 sums.
  int64_t parts = 1, partDepth = 0;
  Value partials;
  // Kernel side: the batch loops set per workgroup, the window loops at the
  // current window position.
  Value zero, invocation, subgroup, rowGroup, colGroup;
  // The workgroup's depth part and batch, and its part's depths.
  Value part, batchIndex, depthBegin, depthEnd;
  Slab slabA, slabB;
  SmallVector<Value> loopValues, windowValues;
};

struct TileContractions
    : avila::spirv::impl::TileContractionsBase<TileContractions> {
  using Base::Base;

  LogicalResult checkTile(const TileShape &tile) {
    auto fail = [&](const Twine &message) {
      return getOperation().emitError("avila-tile-contractions: ") << message;
    };
    if (tile.rows <= 0 || tile.cols <= 0 || tile.depth <= 0 ||
        tile.threadRows <= 0 || tile.threadCols <= 0 ||
        tile.rows % tile.threadRows || tile.cols % tile.threadCols)
      return fail("the thread tile must divide the workgroup tile");
    if (tile.cooperative() &&
        (tile.fragments <= 0 || tile.rows % tile.subgroupTile() ||
         tile.cols % tile.subgroupTile() || tile.depth % kFragment ||
         (kFragment * tile.subgroupTile()) % tile.subgroupSize))
      return fail("cooperative-matrix tiles take rows and columns in steps "
                  "of ")
             << tile.subgroupTile() << " and depth in steps of " << kFragment;
    if ((tile.rows * tile.depth) % tile.invocations() ||
        (tile.cols * tile.depth) % tile.invocations())
      return fail("the invocations must share both slabs evenly");
    if (tile.invocations() > maxInvocations)
      return fail("more than ") << maxInvocations.getValue() << " invocations";
    if (tile.workgroupBytes() > maxWorkgroupMemory)
      return fail("slabs over ") << maxWorkgroupMemory.getValue() << " bytes";
    return success();
  }

  void runOnOperation() override {
    TileShape tile{tileRows,          tileCols,
                   tileDepth,         threadRows,
                   threadCols,        cooperativeMatrix ? subgroupSize : 0,
                   subgroupFragments, depthSplit};
    if (failed(checkTile(tile)))
      return signalPassFailure();
    SmallVector<ContractionOp> contractions;
    getOperation().walk([&](ContractionOp op) {
      if (isTileable(op))
        contractions.push_back(op);
    });
    for (ContractionOp op : contractions) {
      TiledContraction tiled(op, tile);
      if (failed(tiled.measure()))
        continue;
      OpBuilder b(op);
      tiled.findEpilogue();
      tiled.build(b);
      tiled.eraseEpilogue();
      op.erase();
      tiled.eraseReplacedBuffers();
    }
  }
};

} // namespace
