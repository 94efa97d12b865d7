//===- LowerToLinalg.cpp - avila ops as linalg and tensor ops -------------===//
//
// Every avila op except avila.weight becomes upstream ops on tensors: one or
// a few linalg.generic ops (whose bodies compute in f32, also for f16/bf16
// tensors, matching the reference interpreter), tensor.pad/reshape/slices for
// data movement, arith for sizes. Dynamic sizes flow as tensor.dim values.
//
// A dynamic dimension is assumed not to broadcast: only a static size 1
// stretches. The executor checks run-time shapes against this.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/MixedSizes.h"
#include "compiler/dialect/SizeRules.h"
#include "compiler/transforms/NormFormulas.h"
#include "compiler/transforms/Passes.h"
#include "compiler/transforms/WholeAttention.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>

namespace avila {
#define GEN_PASS_DEF_LOWERTOLINALG
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;
using namespace avila;

namespace {

using utils::IteratorType;
constexpr IteratorType kParallel = IteratorType::parallel;
constexpr IteratorType kReduction = IteratorType::reduction;

// Everything the patterns need at one insertion point.
class Emitter {
public:
  Emitter(OpBuilder &b, Location loc) : b(b), loc(loc), sizeRules(b, loc) {}

  Type f32() { return b.getF32Type(); }
  Value f32Constant(double value) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  }
  Value index(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }

  // Widens a loaded element to f32 / narrows an f32 to `type`.
  static Value toF32(OpBuilder &b, Location loc, Value value) {
    if (value.getType().isF32())
      return value;
    return arith::ExtFOp::create(b, loc, b.getF32Type(), value);
  }
  static Value fromF32(OpBuilder &b, Location loc, Value value, Type type) {
    if (type.isF32())
      return value;
    return arith::TruncFOp::create(b, loc, type, value);
  }

  // The size of every dimension of `value`.
  SmallVector<OpFoldResult> sizes(Value value) {
    return tensor::getMixedSizes(b, loc, value);
  }
  OpFoldResult size(Value value, int64_t axis) { return sizes(value)[axis]; }
  Value sizeValue(Value value, int64_t axis) {
    return getValueOrCreateConstantIndexOp(b, loc, size(value, axis));
  }

  Value empty(ArrayRef<OpFoldResult> sizes, Type elementType) {
    return tensor::EmptyOp::create(b, loc, sizes, elementType);
  }
  Value filled(ArrayRef<OpFoldResult> sizes, double value) {
    return linalg::FillOp::create(b, loc, ValueRange{f32Constant(value)},
                                  ValueRange{empty(sizes, f32())})
        .getResult(0);
  }

  // A linalg.generic over `rank` loops whose body receives the inputs'
  // elements widened to f32 and the accumulator (as f32) and returns f32.
  Value generic(RankedTensorType resultType, Value init, ValueRange inputs,
                ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iterators,
                function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    Type elementType = resultType.getElementType();
    return linalg::GenericOp::create(
               b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
               iterators,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 SmallVector<Value> widened;
                 for (Value arg : args)
                   widened.push_back(isa<FloatType>(arg.getType())
                                         ? toF32(nb, nl, arg)
                                         : arg);
                 Value result = body(nb, nl, widened);
                 linalg::YieldOp::create(nb, nl,
                                         fromF32(nb, nl, result, elementType));
               })
        .getResult(0);
  }

  // An elementwise op over `resultType` reading each input through `maps`.
  Value map(RankedTensorType resultType, ArrayRef<OpFoldResult> sizes,
            ValueRange inputs, ArrayRef<AffineMap> inputMaps,
            function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    const int64_t rank = resultType.getRank();
    SmallVector<AffineMap> maps(inputMaps);
    maps.push_back(b.getMultiDimIdentityMap(rank));
    return generic(resultType, empty(sizes, resultType.getElementType()),
                   inputs, maps, SmallVector<IteratorType>(rank, kParallel),
                   [&](OpBuilder &nb, Location nl, ValueRange args) {
                     return body(nb, nl, args.drop_back());
                   });
  }

  // `tensor` read with its dimensions aligned to the right of a rank-`rank`
  // iteration space; statically-1 dims broadcast where the result is not 1.
  AffineMap broadcastMap(RankedTensorType tensor, RankedTensorType result) {
    const int64_t rank = result.getRank(), offset = rank - tensor.getRank();
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < tensor.getRank(); ++i)
      exprs.push_back(tensor.getDimSize(i) == 1 &&
                              result.getDimSize(i + offset) != 1
                          ? b.getAffineConstantExpr(0)
                          : b.getAffineDimExpr(i + offset));
    return AffineMap::get(rank, 0, exprs, b.getContext());
  }

  // Reshape with sizes given per dimension: as an expansion or a collapse
  // of dimension groups where it is one (views every target addresses with
  // strides), else through a shape tensor.
  Value reshape(Value input, RankedTensorType resultType,
                ArrayRef<OpFoldResult> sizes) {
    auto inputType = cast<RankedTensorType>(input.getType());
    if (auto groups =
            getReassociationIndicesForReshape(inputType, resultType)) {
      if (resultType.getRank() > inputType.getRank())
        return tensor::ExpandShapeOp::create(b, loc, resultType, input, *groups,
                                             sizes);
      return tensor::CollapseShapeOp::create(b, loc, resultType, input,
                                             *groups);
    }
    SmallVector<Value> values;
    for (OpFoldResult size : sizes)
      values.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
    Value shape = tensor::FromElementsOp::create(
        b, loc,
        RankedTensorType::get({(int64_t)values.size()}, b.getIndexType()),
        values);
    return tensor::ReshapeOp::create(b, loc, resultType, input, shape);
  }

  Value indexToF32(OpBuilder &nb, Location nl, Value index) {
    Value i64 = arith::IndexCastOp::create(nb, nl, nb.getI64Type(), index);
    return arith::SIToFPOp::create(nb, nl, nb.getF32Type(), i64);
  }

  OpBuilder &b;
  Location loc;
  // Result sizes come from the ops' rules (SizeRules.h) in this domain.
  IndexSizes<tensor::DimOp> sizeRules;
};

Value constantF32(OpBuilder &b, Location loc, double value) {
  return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
}

Value gelu(OpBuilder &b, Location loc, Value x, bool tanhApproximation) {
  Value half = constantF32(b, loc, 0.5), one = constantF32(b, loc, 1.0);
  Value inner;
  if (tanhApproximation) {
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value sum = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, constantF32(b, loc, 0.044715), cube));
    inner = math::TanhOp::create(
        b, loc,
        arith::MulFOp::create(b, loc,
                              constantF32(b, loc, std::sqrt(2.0 / M_PI)), sum));
  } else {
    inner = math::ErfOp::create(
        b, loc,
        arith::MulFOp::create(b, loc, x, constantF32(b, loc, M_SQRT1_2)));
  }
  return arith::MulFOp::create(b, loc, arith::MulFOp::create(b, loc, half, x),
                               arith::AddFOp::create(b, loc, one, inner));
}

// `length` elements of `input` from `start` along `axis`.
Value sliceAlong(Emitter &e, Value input, RankedTensorType type, int64_t axis,
                 OpFoldResult start, OpFoldResult length) {
  const int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, e.b.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = e.sizes(input);
  SmallVector<OpFoldResult> strides(rank, e.b.getIndexAttr(1));
  offsets[axis] = start;
  sizes[axis] = length;
  return tensor::ExtractSliceOp::create(e.b, e.loc, type, input, offsets, sizes,
                                        strides);
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

// Ops of one operand whose result has the operand's shape.
template <typename OpTy> struct UnaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Body = Value (*)(OpBuilder &, Location, Value, OpTy);

  UnaryLowering(MLIRContext *context, Body body)
      : OpConversionPattern<OpTy>(context), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    auto type = cast<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    AffineMap identity = rewriter.getMultiDimIdentityMap(type.getRank());
    rewriter.replaceOp(op,
                       e.map(type, e.sizes(input), {input}, {identity},
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return body(b, loc, args[0], op);
                             }));
    return success();
  }

  Body body;
};

template <typename OpTy, typename ArithOp>
struct BinaryLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    auto type = cast<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    SmallVector<OpFoldResult> sizes = broadcastSizes(e.sizeRules, lhs, rhs);
    rewriter.replaceOp(
        op,
        e.map(type, sizes, {lhs, rhs},
              {e.broadcastMap(lhsType, type), e.broadcastMap(rhsType, type)},
              [](OpBuilder &b, Location loc, ValueRange args) -> Value {
                return ArithOp::create(b, loc, args[0], args[1]);
              }));
    return success();
  }
};

struct GegluLowering : OpConversionPattern<GegluOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GegluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override;
};

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

// out[b..., n] = bias[n] + Σ_k x[b..., k] · w[n, k]
struct LinearLowering : OpConversionPattern<LinearOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LinearOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    RankedTensorType type = op.getType();
    const int64_t rank = type.getRank(); // loops: batch..., n, then k
    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineExpr> batch, input, output;
    for (int64_t i = 0; i < rank - 1; ++i)
      batch.push_back(rewriter.getAffineDimExpr(i));
    AffineExpr n = rewriter.getAffineDimExpr(rank - 1);
    AffineExpr k = rewriter.getAffineDimExpr(rank);
    input = batch;
    input.push_back(k);
    output = batch;
    output.push_back(n);
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    Value init = e.filled(sizes, 0.0);
    SmallVector<IteratorType> iterators(rank, kParallel);
    iterators.push_back(kReduction);
    auto accumulatorType = RankedTensorType::get(type.getShape(), e.f32());
    Value product = e.generic(
        accumulatorType, init, {adaptor.getInput(), adaptor.getWeight()},
        {AffineMap::get(rank + 1, 0, input, context),
         AffineMap::get(rank + 1, 0, {n, k}, context),
         AffineMap::get(rank + 1, 0, output, context)},
        iterators, [](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return arith::AddFOp::create(
              b, loc, args[2], arith::MulFOp::create(b, loc, args[0], args[1]));
        });
    SmallVector<Value> inputs = {product};
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(rank)};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      maps.push_back(AffineMap::get(
          rank, 0, {rewriter.getAffineDimExpr(rank - 1)}, context));
    }
    rewriter.replaceOp(
        op, e.map(type, sizes, inputs, maps,
                  [](OpBuilder &b, Location loc, ValueRange args) -> Value {
                    return args.size() == 1 ? args[0]
                                            : arith::AddFOp::create(
                                                  b, loc, args[0], args[1]);
                  }));
    return success();
  }
};

// out[b..., i, j] = Σ_k a[b..., i, k] · c[b..., k, j]
struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    RankedTensorType type = op.getType();
    const int64_t rank = type.getRank();
    MLIRContext *context = rewriter.getContext();
    SmallVector<AffineExpr> lhs, rhs, out;
    for (int64_t i = 0; i < rank - 2; ++i) {
      lhs.push_back(rewriter.getAffineDimExpr(i));
      rhs.push_back(rewriter.getAffineDimExpr(i));
      out.push_back(rewriter.getAffineDimExpr(i));
    }
    AffineExpr i = rewriter.getAffineDimExpr(rank - 2),
               j = rewriter.getAffineDimExpr(rank - 1),
               k = rewriter.getAffineDimExpr(rank);
    lhs.append({i, k});
    rhs.append({k, j});
    out.append({i, j});
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    SmallVector<IteratorType> iterators(rank, kParallel);
    iterators.push_back(kReduction);
    Value init = linalg::FillOp::create(
                     rewriter, op.getLoc(),
                     ValueRange{arith::ConstantOp::create(
                         rewriter, op.getLoc(),
                         rewriter.getFloatAttr(type.getElementType(), 0.0))},
                     ValueRange{e.empty(sizes, type.getElementType())})
                     .getResult(0);
    rewriter.replaceOp(
        op, e.generic(type, init, {adaptor.getLhs(), adaptor.getRhs()},
                      {AffineMap::get(rank + 1, 0, lhs, context),
                       AffineMap::get(rank + 1, 0, rhs, context),
                       AffineMap::get(rank + 1, 0, out, context)},
                      iterators,
                      [](OpBuilder &b, Location loc, ValueRange args) -> Value {
                        return arith::AddFOp::create(
                            b, loc, args[2],
                            arith::MulFOp::create(b, loc, args[0], args[1]));
                      }));
    return success();
  }
};

// Zero padding, then out[n, o, y, x] = bias[o] + Σ_{c, ky, kx}
//   in[n, (o / Og)·Cg + c, y·sh + ky, x·sw + kx] · w[o, c, ky, kx].
struct Conv2DLowering : OpConversionPattern<Conv2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    RankedTensorType type = op.getType();
    MLIRContext *context = rewriter.getContext();
    Value input = adaptor.getInput(), weight = adaptor.getWeight();
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> padding = op.getPadding(), stride = op.getStride();
    if (llvm::any_of(padding, [](int64_t p) { return p != 0; })) {
      SmallVector<int64_t> paddedShape(inputType.getShape());
      for (int64_t d : {2, 3})
        if (!ShapedType::isDynamic(paddedShape[d]))
          paddedShape[d] += padding[2 * (d - 2)] + padding[2 * (d - 2) + 1];
      Value zero = arith::ConstantOp::create(
          rewriter, loc, rewriter.getFloatAttr(type.getElementType(), 0.0));
      input = tensor::PadOp::create(
          rewriter, loc,
          RankedTensorType::get(paddedShape, type.getElementType()), input,
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(padding[0]),
                                 rewriter.getIndexAttr(padding[2])},
          ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(0),
                                 rewriter.getIndexAttr(padding[1]),
                                 rewriter.getIndexAttr(padding[3])},
          zero);
    }
    const int64_t groups = op.getGroups();
    const int64_t outPerGroup = type.getDimSize(1) / groups;
    const int64_t inPerGroup = op.getWeight().getType().getDimSize(1);
    AffineExpr n, o, y, x, c, ky, kx;
    bindDims(context, n, o, y, x, c, ky, kx);
    AffineExpr channel =
        groups == 1 ? c : o.floorDiv(outPerGroup) * inPerGroup + c;
    SmallVector<AffineMap> maps = {
        AffineMap::get(7, 0,
                       {n, channel, y * stride[0] + ky, x * stride[1] + kx},
                       context),
        AffineMap::get(7, 0, {o, c, ky, kx}, context),
        AffineMap::get(7, 0, {n, o, y, x}, context)};
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    auto accumulatorType = RankedTensorType::get(type.getShape(), e.f32());
    Value sum = e.generic(
        accumulatorType, e.filled(sizes, 0.0), {input, weight}, maps,
        {kParallel, kParallel, kParallel, kParallel, kReduction, kReduction,
         kReduction},
        [](OpBuilder &b, Location loc, ValueRange args) -> Value {
          return arith::AddFOp::create(
              b, loc, args[2], arith::MulFOp::create(b, loc, args[0], args[1]));
        });
    SmallVector<Value> inputs = {sum};
    SmallVector<AffineMap> elementMaps = {rewriter.getMultiDimIdentityMap(4)};
    if (Value bias = adaptor.getBias()) {
      inputs.push_back(bias);
      elementMaps.push_back(
          AffineMap::get(4, 0, {rewriter.getAffineDimExpr(1)}, context));
    }
    rewriter.replaceOp(
        op, e.map(type, sizes, inputs, elementMaps,
                  [](OpBuilder &b, Location loc, ValueRange args) -> Value {
                    return args.size() == 1 ? args[0]
                                            : arith::AddFOp::create(
                                                  b, loc, args[0], args[1]);
                  }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Long sums
//===----------------------------------------------------------------------===//

// A reduction whose length grows with the image (a VAE group norm holds 2²²
// values at 1024²) must not be one f32 running sum: once the total is 2²⁰
// times an addend, half an ulp of it is a sizeable fraction of the addends,
// and squares, which cluster near zero, are rounded away more often than
// up (2e-4 at 512², 1e-3 at 1024²). Sums along such a dimension are
// blocked explicitly in linalg instead: the dimension is split into
// [blocks, kSumBlock], each block is summed into a partials tensor, and the
// partials are summed the same way, kSumLevels times, before the few that
// are left are added up. No running sum then has more than kSumBlock
// addends for rows of up to kSumBlock^(kSumLevels+1) values, and every
// level is a plain generic that a GPU target can map to its own reduction.
constexpr int64_t kSumBlock = 256;
constexpr int kSumLevels = 2;

// The value one element contributes to a sum, from the element and the
// operands kept per reduced row (e.g. the mean for the variance).
using Addend =
    function_ref<Value(OpBuilder &, Location, Value element, ValueRange kept)>;

// The map of a rank-`rank` iteration space without the dimensions `drop`.
AffineMap dropping(OpBuilder &b, int64_t rank, ArrayRef<int64_t> drop) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(drop, i))
      exprs.push_back(b.getAffineDimExpr(i));
  return AffineMap::get(rank, 0, exprs, b.getContext());
}

// `init` + Σ over dimension `reduced` of `input`, each element passed
// through `addend` (with the `kept` operands read through `keptMap`) when
// one is given.
Value sumInto(Emitter &e, Value init, Value input, int64_t reduced,
              ValueRange kept, AffineMap keptMap, Addend addend) {
  const int64_t rank = cast<RankedTensorType>(input.getType()).getRank();
  SmallVector<Value> inputs = {input};
  inputs.append(kept.begin(), kept.end());
  SmallVector<AffineMap> maps = {e.b.getMultiDimIdentityMap(rank)};
  maps.append(kept.size(), keptMap);
  maps.push_back(dropping(e.b, rank, {reduced}));
  SmallVector<IteratorType> iterators(rank, kParallel);
  iterators[reduced] = kReduction;
  return e.generic(cast<RankedTensorType>(init.getType()), init, inputs, maps,
                   iterators,
                   [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                     Value term = addend ? addend(nb, nl, args.front(),
                                                  args.drop_front().drop_back())
                                         : args.front();
                     return arith::AddFOp::create(nb, nl, args.back(), term);
                   });
}

// Σ along `axis` of addend(x, kept...) as an f32 tensor of x's shape
// without `axis`; `kept` have that shape too.
Value sumAlong(Emitter &e, Value x, int64_t axis, ValueRange kept,
               Addend addend) {
  OpBuilder &b = e.b;
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t rank = type.getRank();
  SmallVector<OpFoldResult> reducedSizes = e.sizes(x);
  reducedSizes.erase(reducedSizes.begin() + axis);
  AffineMap keptMap = dropping(b, rank, {axis});
  Value total = e.filled(reducedSizes, 0.0);
  const int64_t length = type.getDimSize(axis);
  if (!ShapedType::isDynamic(length) && length <= kSumBlock)
    return sumInto(e, total, x, axis, kept, keptMap, addend);

  Value level = x;
  for (int i = 0; i < kSumLevels; ++i) {
    auto levelType = cast<RankedTensorType>(level.getType());
    SmallVector<int64_t> shape(levelType.getShape());
    shape[axis] = ShapedType::kDynamic;
    auto sliceType = RankedTensorType::get(shape, levelType.getElementType());
    Value extent = e.sizeValue(level, axis);
    Value blocks = arith::DivUIOp::create(b, e.loc, extent, e.index(kSumBlock));
    Value full = arith::MulIOp::create(b, e.loc, blocks, e.index(kSumBlock));
    // The values after the last whole block go straight into the total.
    Value tail =
        sliceAlong(e, level, sliceType, axis, full,
                   arith::SubIOp::create(b, e.loc, extent, full).getResult());
    total = sumInto(e, total, tail, axis, kept, keptMap, addend);
    // The whole blocks as [..., blocks, kSumBlock, ...], summed per block.
    Value whole =
        sliceAlong(e, level, sliceType, axis, b.getIndexAttr(0), full);
    SmallVector<OpFoldResult> blockedSizes = e.sizes(whole);
    blockedSizes[axis] = blocks;
    blockedSizes.insert(blockedSizes.begin() + axis + 1,
                        b.getIndexAttr(kSumBlock));
    SmallVector<int64_t> blockedShape(shape);
    blockedShape.insert(blockedShape.begin() + axis + 1, kSumBlock);
    SmallVector<ReassociationIndices> reassociation;
    for (int64_t d = 0; d < rank; ++d)
      reassociation.push_back(d < axis    ? ReassociationIndices{d}
                              : d == axis ? ReassociationIndices{d, d + 1}
                                          : ReassociationIndices{d + 1});
    Value blocked = tensor::ExpandShapeOp::create(
        b, e.loc,
        RankedTensorType::get(blockedShape, sliceType.getElementType()), whole,
        reassociation, blockedSizes);
    SmallVector<OpFoldResult> partialSizes = e.sizes(whole);
    partialSizes[axis] = blocks;
    level = sumInto(e, e.filled(partialSizes, 0.0), blocked, axis + 1, kept,
                    dropping(b, rank + 1, {axis, axis + 1}), addend);
    // Partials are sums already: the addend applies to x's elements only.
    kept = {};
    addend = nullptr;
  }
  return sumInto(e, total, level, axis, {}, keptMap, nullptr);
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

// Mean and biased variance of `x` [rows..., n] over its last dimension, as
// two f32 tensors of shape [rows...].
std::pair<Value, Value> meanAndVariance(Emitter &e, Value x) {
  OpBuilder &b = e.b;
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes = e.sizes(x);
  Value count = e.indexToF32(b, e.loc, e.sizeValue(x, rank - 1));
  sizes.pop_back();
  auto statsType = RankedTensorType::get(
      SmallVector<int64_t>(type.getShape().drop_back()), e.f32());
  Value sum = sumAlong(e, x, rank - 1, {}, nullptr);
  AffineMap rowIdentity = b.getMultiDimIdentityMap(rank - 1);
  auto divideByCount = [&](OpBuilder &nb, Location nl,
                           ValueRange args) -> Value {
    return arith::DivFOp::create(nb, nl, args[0], count);
  };
  Value mean = e.map(statsType, sizes, {sum}, {rowIdentity}, divideByCount);
  Value squares = sumAlong(
      e, x, rank - 1, {mean},
      [](OpBuilder &nb, Location nl, Value element, ValueRange kept) -> Value {
        Value centered = arith::SubFOp::create(nb, nl, element, kept[0]);
        return arith::MulFOp::create(nb, nl, centered, centered);
      });
  Value variance =
      e.map(statsType, sizes, {squares}, {rowIdentity}, divideByCount);
  return {mean, variance};
}

// normalize() of the arguments (x, mean, variance, gamma, beta).
Value normalizeArgs(OpBuilder &b, Location loc, ValueRange args,
                    double epsilon) {
  return normalize(b, loc, args[0], args[1], args[2], args[3], args[4],
                   epsilon);
}

struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    RankedTensorType type = op.getType();
    const int64_t rank = type.getRank();
    auto [mean, variance] = meanAndVariance(e, adaptor.getInput());
    SmallVector<AffineExpr> rows;
    for (int64_t i = 0; i < rank - 1; ++i)
      rows.push_back(rewriter.getAffineDimExpr(i));
    MLIRContext *context = rewriter.getContext();
    AffineMap rowMap = AffineMap::get(rank, 0, rows, context);
    AffineMap featureMap =
        AffineMap::get(rank, 0, {rewriter.getAffineDimExpr(rank - 1)}, context);
    const double epsilon = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(op,
                       e.map(type, e.sizes(adaptor.getInput()),
                             {adaptor.getInput(), mean, variance,
                              adaptor.getGamma(), adaptor.getBeta()},
                             {rewriter.getMultiDimIdentityMap(rank), rowMap,
                              rowMap, featureMap, featureMap},
                             [&](OpBuilder &b, Location loc, ValueRange args) {
                               return normalizeArgs(b, loc, args, epsilon);
                             }));
    return success();
  }
};

// Statistics over [N, G, (C/G)·spatial], applied to [N, C, spatial...].
struct GroupNormLowering : OpConversionPattern<GroupNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GroupNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    RankedTensorType type = op.getType();
    const int64_t rank = type.getRank(), groups = op.getNumGroups();
    const int64_t perGroup = type.getDimSize(1) / groups;
    Value input = adaptor.getInput();
    Value elements = e.index(perGroup);
    for (int64_t d = 2; d < rank; ++d)
      elements =
          arith::MulIOp::create(rewriter, loc, elements, e.sizeValue(input, d));
    Value grouped =
        e.reshape(input,
                  RankedTensorType::get(
                      {type.getDimSize(0), groups, ShapedType::kDynamic},
                      type.getElementType()),
                  {e.size(input, 0), rewriter.getIndexAttr(groups), elements});
    auto [mean, variance] = meanAndVariance(e, grouped);
    MLIRContext *context = rewriter.getContext();
    AffineExpr n = rewriter.getAffineDimExpr(0),
               c = rewriter.getAffineDimExpr(1);
    AffineMap groupMap =
        AffineMap::get(rank, 0, {n, c.floorDiv(perGroup)}, context);
    AffineMap channelMap = AffineMap::get(rank, 0, {c}, context);
    const double epsilon = op.getEpsilon().convertToDouble();
    rewriter.replaceOp(
        op,
        e.map(type, e.sizes(input),
              {input, mean, variance, adaptor.getGamma(), adaptor.getBeta()},
              {rewriter.getMultiDimIdentityMap(rank), groupMap, groupMap,
               channelMap, channelMap},
              [&](OpBuilder &b, Location loc, ValueRange args) {
                return normalizeArgs(b, loc, args, epsilon);
              }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Normalizations a target runs whole
//===----------------------------------------------------------------------===//

// What the target's whole-norm kernel takes: f32 operands and a static
// channel (feature) count; the others take the linalg path.
bool runsAsWholeNorm(Operation *op, int64_t channelAxis) {
  auto isF32 = [](Type type) {
    return cast<RankedTensorType>(type).getElementType().isF32();
  };
  return llvm::all_of(op->getOperandTypes(), isF32) &&
         isF32(op->getResult(0).getType()) &&
         !cast<RankedTensorType>(op->getResult(0).getType())
              .isDynamicDim(channelAxis);
}

// A norm as avila.fused_group_norm into an empty tensor.
Value wholeNorm(Emitter &e, Value input, Value gamma, Value beta,
                RankedTensorType type, int64_t axis, int64_t groups,
                APFloat epsilon) {
  Value init = e.empty(e.sizes(input), type.getElementType());
  return FusedGroupNormOp::create(
             e.b, e.loc, TypeRange{type}, input, gamma, beta, init,
             e.b.getI64IntegerAttr(axis), e.b.getI64IntegerAttr(groups),
             e.b.getF64FloatAttr(epsilon.convertToDouble()),
             /*silu=*/nullptr)
      .getResult()
      .front();
}

// avila.group_norm over [N, C, spatial...]: channel axis 1.
struct WholeGroupNormLowering : OpConversionPattern<GroupNormOp> {
  explicit WholeGroupNormLowering(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(GroupNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!runsAsWholeNorm(op, 1))
      return rewriter.notifyMatchFailure(op, "not run whole");
    Emitter e(rewriter, op.getLoc());
    rewriter.replaceOp(op, wholeNorm(e, adaptor.getInput(), adaptor.getGamma(),
                                     adaptor.getBeta(), op.getType(), 1,
                                     op.getNumGroups(), op.getEpsilon()));
    return success();
  }
};

// avila.layer_norm over [rows..., D]: one group of the last axis.
struct WholeLayerNormLowering : OpConversionPattern<LayerNormOp> {
  explicit WholeLayerNormLowering(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    const int64_t axis = op.getType().getRank() - 1;
    if (!runsAsWholeNorm(op, axis))
      return rewriter.notifyMatchFailure(op, "not run whole");
    Emitter e(rewriter, op.getLoc());
    rewriter.replaceOp(op, wholeNorm(e, adaptor.getInput(), adaptor.getGamma(),
                                     adaptor.getBeta(), op.getType(), axis,
                                     /*groups=*/1, op.getEpsilon()));
    return success();
  }
};

// SiLU of a whole norm's only use runs in the norm's kernel: the fused op
// takes `silu` and the SiLU becomes the norm's value.
struct SiluOfWholeNormLowering : OpConversionPattern<SiluOp> {
  explicit SiluOfWholeNormLowering(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(SiluOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Operation *norm = op.getInput().getDefiningOp();
    auto fused = adaptor.getInput().getDefiningOp<FusedGroupNormOp>();
    if (!isa_and_present<GroupNormOp, LayerNormOp>(norm) ||
        !op.getInput().hasOneUse() || !fused || fused.getSilu())
      return rewriter.notifyMatchFailure(op, "not the only use of a whole "
                                             "norm");
    rewriter.modifyOpInPlace(
        fused, [&] { fused.setSiluAttr(rewriter.getUnitAttr()); });
    rewriter.replaceOp(op, adaptor.getInput());
    return success();
  }
};

// exp(x − max) / Σ exp(x − max) along `axis`, in three generic ops.
Value softmaxAlong(Emitter &e, Value x, int64_t axis, RankedTensorType type) {
  OpBuilder &b = e.b;
  const int64_t rank = type.getRank();
  SmallVector<AffineExpr> kept;
  SmallVector<OpFoldResult> sizes = e.sizes(x), reducedSizes;
  SmallVector<int64_t> reducedShape;
  SmallVector<IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    iterators.push_back(i == axis ? kReduction : kParallel);
    if (i == axis)
      continue;
    kept.push_back(b.getAffineDimExpr(i));
    reducedSizes.push_back(sizes[i]);
    reducedShape.push_back(type.getDimSize(i));
  }
  auto reducedType = RankedTensorType::get(reducedShape, e.f32());
  AffineMap identity = b.getMultiDimIdentityMap(rank);
  AffineMap reduced = AffineMap::get(rank, 0, kept, b.getContext());
  Value maximum = e.generic(
      reducedType, e.filled(reducedSizes, -INFINITY), {x}, {identity, reduced},
      iterators, [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        return arith::MaximumFOp::create(nb, nl, args[0], args[1]);
      });
  Value total = sumAlong(
      e, x, axis, {maximum},
      [](OpBuilder &nb, Location nl, Value element, ValueRange kept) -> Value {
        return math::ExpOp::create(
            nb, nl, arith::SubFOp::create(nb, nl, element, kept[0]));
      });
  return e.map(type, sizes, {x, maximum, total}, {identity, reduced, reduced},
               [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                 Value shifted =
                     arith::SubFOp::create(nb, nl, args[0], args[1]);
                 return arith::DivFOp::create(
                     nb, nl, math::ExpOp::create(nb, nl, shifted), args[2]);
               });
}

struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    rewriter.replaceOp(
        op, softmaxAlong(e, adaptor.getInput(), op.getAxis(), op.getType()));
    return success();
  }
};

// Attention a target runs as one kernel (WholeAttention.h) becomes
// avila.fused_attention into an empty [B, Lq, Ev], its scale resolved.
struct WholeAttentionLowering : OpConversionPattern<AttentionOp> {
  explicit WholeAttentionLowering(MLIRContext *context)
      : OpConversionPattern(context, /*benefit=*/2) {}

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!runsAsWholeAttention(op))
      return rewriter.notifyMatchFailure(op, "not run whole");
    Emitter e(rewriter, op.getLoc());
    RankedTensorType type = op.getType();
    SmallVector<OpFoldResult> sizes = e.sizes(adaptor.getQuery());
    sizes[2] = rewriter.getIndexAttr(type.getDimSize(2));
    Value init = e.empty(sizes, type.getElementType());
    rewriter.replaceOpWithNewOp<FusedAttentionOp>(
        op, TypeRange{type}, adaptor.getQuery(), adaptor.getKey(),
        adaptor.getValue(), init, rewriter.getI64IntegerAttr(op.getNumHeads()),
        rewriter.getF64FloatAttr(*op.getEffectiveScale()));
    return success();
  }
};

// Scores [B, H, Lq, Lk] from the head slices of q and k, then softmax, then
// out [B, Lq, H, dv] collapsed to [B, Lq, H·dv].
struct AttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    MLIRContext *context = rewriter.getContext();
    RankedTensorType type = op.getType();
    Value query = adaptor.getQuery(), key = adaptor.getKey(),
          value = adaptor.getValue();
    const int64_t heads = op.getNumHeads();
    const int64_t embed = op.getQuery().getType().getDimSize(2);
    const int64_t valueEmbed = type.getDimSize(2);
    if (ShapedType::isDynamic(embed) || ShapedType::isDynamic(valueEmbed))
      return rewriter.notifyMatchFailure(op, "dynamic embedding size");
    const int64_t headDim = embed / heads, valueHeadDim = valueEmbed / heads;
    const double scale = *op.getEffectiveScale();

    // Heads as a dimension: [B, L, H·hd] → [B, L, H, hd].
    auto splitHeads = [&](Value x, int64_t perHead) {
      auto xType = cast<RankedTensorType>(x.getType());
      return e.reshape(
          x,
          RankedTensorType::get(
              {xType.getDimSize(0), xType.getDimSize(1), heads, perHead},
              xType.getElementType()),
          {e.size(x, 0), e.size(x, 1), rewriter.getIndexAttr(heads),
           rewriter.getIndexAttr(perHead)});
    };
    Value query4 = splitHeads(query, headDim);
    Value key4 = splitHeads(key, headDim);
    Value value4 = splitHeads(value, valueHeadDim);

    // scores[b, h, i, j] = scale · Σ_d q[b, i, h, d] · k[b, j, h, d]
    AffineExpr b, h, i, j, d;
    bindDims(context, b, h, i, j, d);
    SmallVector<OpFoldResult> scoreSizes = {e.size(query, 0),
                                            rewriter.getIndexAttr(heads),
                                            e.size(query, 1), e.size(key, 1)};
    auto scoreType =
        RankedTensorType::get({type.getDimSize(0), heads, type.getDimSize(1),
                               op.getKey().getType().getDimSize(1)},
                              e.f32());
    Value dots = e.generic(
        scoreType, e.filled(scoreSizes, 0.0), {query4, key4},
        {AffineMap::get(5, 0, {b, i, h, d}, context),
         AffineMap::get(5, 0, {b, j, h, d}, context),
         AffineMap::get(5, 0, {b, h, i, j}, context)},
        {kParallel, kParallel, kParallel, kParallel, kReduction},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(
              nb, nl, args[2], arith::MulFOp::create(nb, nl, args[0], args[1]));
        });
    SmallVector<Value> inputs = {dots};
    AffineExpr b4 = rewriter.getAffineDimExpr(0),
               i4 = rewriter.getAffineDimExpr(2),
               j4 = rewriter.getAffineDimExpr(3);
    SmallVector<AffineMap> maps = {rewriter.getMultiDimIdentityMap(4)};
    if (Value mask = adaptor.getMask()) {
      inputs.push_back(mask);
      maps.push_back(cast<RankedTensorType>(mask.getType()).getRank() == 3
                         ? AffineMap::get(4, 0, {b4, i4, j4}, context)
                         : AffineMap::get(4, 0, {i4, j4}, context));
    }
    const bool causal = op.getCausal();
    Value scores =
        e.map(scoreType, scoreSizes, inputs, maps,
              [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
                Value s = arith::MulFOp::create(nb, nl, args[0],
                                                constantF32(nb, nl, scale));
                if (args.size() > 1)
                  s = arith::AddFOp::create(nb, nl, s, args[1]);
                if (!causal)
                  return s;
                Value row = linalg::IndexOp::create(nb, nl, 2);
                Value column = linalg::IndexOp::create(nb, nl, 3);
                Value hidden = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::ugt, column, row);
                return arith::SelectOp::create(
                    nb, nl, hidden, constantF32(nb, nl, -INFINITY), s);
              });
    Value probabilities = softmaxAlong(e, scores, 3, scoreType);

    // out[b, i, h, e] = Σ_j p[b, h, i, j] · v[b, j, h, e]
    AffineExpr ob, oi, oh, oe, oj;
    bindDims(context, ob, oi, oh, oe, oj);
    SmallVector<OpFoldResult> outSizes = {e.size(query, 0), e.size(query, 1),
                                          rewriter.getIndexAttr(heads),
                                          rewriter.getIndexAttr(valueHeadDim)};
    auto headsType = RankedTensorType::get(
        {type.getDimSize(0), type.getDimSize(1), heads, valueHeadDim},
        type.getElementType());
    Value headsOut = e.generic(
        headsType,
        linalg::FillOp::create(
            rewriter, loc,
            ValueRange{arith::ConstantOp::create(
                rewriter, loc,
                rewriter.getFloatAttr(type.getElementType(), 0))},
            ValueRange{e.empty(outSizes, type.getElementType())})
            .getResult(0),
        {probabilities, value4},
        {AffineMap::get(5, 0, {ob, oh, oi, oj}, context),
         AffineMap::get(5, 0, {ob, oj, oh, oe}, context),
         AffineMap::get(5, 0, {ob, oi, oh, oe}, context)},
        {kParallel, kParallel, kParallel, kParallel, kReduction},
        [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
          return arith::AddFOp::create(
              nb, nl, args[2], arith::MulFOp::create(nb, nl, args[0], args[1]));
        });
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(
        op, type, headsOut, ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Data movement and the rest
//===----------------------------------------------------------------------===//

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    Value init = e.empty(resultSizes(e.sizeRules, adaptor),
                         op.getType().getElementType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPerm())
                               .getResult());
    return success();
  }
};

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    rewriter.replaceOp(
        op, e.reshape(adaptor.getInput(), op.getType(),
                      resultSizes(e.sizeRules, adaptor, op.getType())));
    return success();
  }
};

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::ConcatOp>(
        op, op.getType(), op.getAxis(), adaptor.getInputs());
    return success();
  }
};

// The value and gate halves as slices, so every operand of the generic has
// the result's shape (linalg takes loop bounds from the first operand that
// has each dimension).
LogicalResult
GegluLowering::matchAndRewrite(GegluOp op, OpAdaptor adaptor,
                               ConversionPatternRewriter &rewriter) const {
  Emitter e(rewriter, op.getLoc());
  RankedTensorType type = op.getType();
  const int64_t rank = type.getRank(), half = type.getShape().back();
  if (ShapedType::isDynamic(half))
    return rewriter.notifyMatchFailure(op, "dynamic feature size");
  Value input = adaptor.getInput();
  SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
  Value value = sliceAlong(e, input, type, rank - 1, rewriter.getIndexAttr(0),
                           rewriter.getIndexAttr(half));
  Value gate = sliceAlong(e, input, type, rank - 1, rewriter.getIndexAttr(half),
                          rewriter.getIndexAttr(half));
  AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
  rewriter.replaceOp(
      op, e.map(type, sizes, {value, gate}, {identity, identity},
                [](OpBuilder &b, Location loc, ValueRange args) -> Value {
                  return arith::MulFOp::create(b, loc, args[0],
                                               gelu(b, loc, args[1], false));
                }));
  return success();
}

struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Emitter e(rewriter, op.getLoc());
    rewriter.replaceOp(
        op, sliceAlong(e, adaptor.getInput(), op.getType(), op.getAxis(),
                       rewriter.getIndexAttr(op.getStart()),
                       rewriter.getIndexAttr(op.getEnd() - op.getStart())));
    return success();
  }
};

struct SplitLowering : OpConversionPattern<SplitOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SplitOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    const int64_t axis = op.getAxis();
    OpFoldResult part =
        resultSizes(e.sizeRules, adaptor, op.getNumResults())[axis];
    SmallVector<Value> results;
    for (auto [index, type] : llvm::enumerate(op.getResultTypes())) {
      OpFoldResult start = e.sizeRules.mul(
          part, e.sizeRules.constant(static_cast<int64_t>(index)));
      results.push_back(sliceAlong(e, adaptor.getInput(),
                                   cast<RankedTensorType>(type), axis, start,
                                   part));
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

// y[n, c, i, j] = x[n, c, src(i), src(j)] with PyTorch's nearest source.
struct UpsampleNearestLowering : OpConversionPattern<UpsampleNearestOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(UpsampleNearestOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    Value input = adaptor.getInput();
    Value inH = e.sizeValue(input, 2), inW = e.sizeValue(input, 3);
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    Value outH = e.sizeRules.value(sizes[2]);
    Value outW = e.sizeRules.value(sizes[3]);
    // scale = (float)in / (float)out, computed once per axis.
    Value scaleH =
        arith::DivFOp::create(rewriter, loc, e.indexToF32(rewriter, loc, inH),
                              e.indexToF32(rewriter, loc, outH));
    Value scaleW =
        arith::DivFOp::create(rewriter, loc, e.indexToF32(rewriter, loc, inW),
                              e.indexToF32(rewriter, loc, outW));
    RankedTensorType type = op.getType();
    Value init = e.empty(sizes, type.getElementType());
    auto source = [&](OpBuilder &b, Location l, Value dst, Value scale,
                      Value extent) -> Value {
      Value position =
          arith::MulFOp::create(b, l, e.indexToF32(b, l, dst), scale);
      Value floored = arith::FPToSIOp::create(
          b, l, b.getI64Type(), math::FloorOp::create(b, l, position));
      Value asIndex =
          arith::IndexCastOp::create(b, l, b.getIndexType(), floored);
      Value last = arith::SubIOp::create(
          b, l, extent, arith::ConstantIndexOp::create(b, l, 1));
      return arith::MinSIOp::create(b, l, asIndex, last);
    };
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{}, ValueRange{init},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(4)},
        SmallVector<IteratorType>(4, kParallel),
        [&](OpBuilder &b, Location l, ValueRange) {
          Value n = linalg::IndexOp::create(b, l, 0);
          Value c = linalg::IndexOp::create(b, l, 1);
          Value y = source(b, l, linalg::IndexOp::create(b, l, 2), scaleH, inH);
          Value x = source(b, l, linalg::IndexOp::create(b, l, 3), scaleW, inW);
          linalg::YieldOp::create(b, l,
                                  ValueRange{tensor::ExtractOp::create(
                                      b, l, input, ValueRange{n, c, y, x})});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct AvgPool2DLowering : OpConversionPattern<AvgPool2DOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AvgPool2DOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    MLIRContext *context = rewriter.getContext();
    ArrayRef<int64_t> kernel = op.getKernel(), stride = op.getStride();
    Value input = adaptor.getInput();
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    AffineExpr n, c, y, x, ky, kx;
    bindDims(context, n, c, y, x, ky, kx);
    RankedTensorType type = op.getType();
    auto sumType = RankedTensorType::get(type.getShape(), e.f32());
    // A shape-only window operand gives the loops over ky and kx their
    // bounds, as linalg's pooling ops do.
    Value window = e.empty(
        {rewriter.getIndexAttr(kernel[0]), rewriter.getIndexAttr(kernel[1])},
        e.f32());
    Value sum = e.generic(
        sumType, e.filled(sizes, 0.0), {input, window},
        {AffineMap::get(6, 0, {n, c, y * stride[0] + ky, x * stride[1] + kx},
                        context),
         AffineMap::get(6, 0, {ky, kx}, context),
         AffineMap::get(6, 0, {n, c, y, x}, context)},
        {kParallel, kParallel, kParallel, kParallel, kReduction, kReduction},
        [](OpBuilder &b, Location l, ValueRange args) -> Value {
          return arith::AddFOp::create(b, l, args[2], args[0]);
        });
    const double count = static_cast<double>(kernel[0] * kernel[1]);
    rewriter.replaceOp(
        op, e.map(type, sizes, {sum}, {rewriter.getMultiDimIdentityMap(4)},
                  [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                    return arith::DivFOp::create(b, l, args[0],
                                                 constantF32(b, l, count));
                  }));
    return success();
  }
};

// y[idx..., d...] = table[clamp(ids[idx...]), d...]. The executor refuses
// ids outside the table for the entry inputs the artifact gives an
// id_limit (ArtifactBuilder's idLimit); the clamp stays as a memory-safety
// guard, so that no id, however it got here, reads outside the table.
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    RankedTensorType type = op.getType();
    Value table = adaptor.getTable(), ids = adaptor.getIds();
    const int64_t idRank = cast<RankedTensorType>(ids.getType()).getRank();
    const int64_t rank = type.getRank();
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    Value last =
        arith::SubIOp::create(rewriter, loc, e.sizeValue(table, 0), e.index(1));
    SmallVector<AffineExpr> idExprs;
    for (int64_t i = 0; i < idRank; ++i)
      idExprs.push_back(rewriter.getAffineDimExpr(i));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{ids},
        ValueRange{e.empty(sizes, type.getElementType())},
        ArrayRef<AffineMap>{
            AffineMap::get(rank, 0, idExprs, rewriter.getContext()),
            rewriter.getMultiDimIdentityMap(rank)},
        SmallVector<IteratorType>(rank, kParallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value id =
              arith::IndexCastOp::create(b, l, b.getIndexType(), args[0]);
          Value zero = arith::ConstantIndexOp::create(b, l, 0);
          id = arith::MinSIOp::create(
              b, l, arith::MaxSIOp::create(b, l, id, zero), last);
          SmallVector<Value> indices = {id};
          for (int64_t d = idRank; d < rank; ++d)
            indices.push_back(linalg::IndexOp::create(b, l, d));
          linalg::YieldOp::create(
              b, l,
              ValueRange{tensor::ExtractOp::create(b, l, table, indices)});
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

// As diffusers' get_timestep_embedding, in f32 step by step.
struct TimestepEmbeddingLowering : OpConversionPattern<TimestepEmbeddingOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TimestepEmbeddingOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Emitter e(rewriter, loc);
    RankedTensorType type = op.getType();
    const int64_t dim = op.getDim(), half = dim / 2;
    const bool flip = op.getFlipSinToCos();
    const float logPeriod =
        -std::log(static_cast<float>(op.getMaxPeriod().convertToDouble()));
    const float denominator = static_cast<float>(
        static_cast<double>(half) - op.getShift().convertToDouble());
    const float scale = static_cast<float>(op.getScale().convertToDouble());
    // The frequencies depend on the column alone: computed here as the
    // interpreter computes them, since a device's exp may be ulps off the
    // host's, and an ulp of a frequency is 1e-5 of an angle near 1000.
    SmallVector<float> frequencies;
    for (int64_t i = 0; i < std::max<int64_t>(half, 1); ++i)
      frequencies.push_back(
          std::exp(logPeriod * static_cast<float>(i) / denominator));
    auto tableType = RankedTensorType::get(
        {static_cast<int64_t>(frequencies.size())}, rewriter.getF32Type());
    Value table = arith::ConstantOp::create(
        rewriter, loc,
        DenseElementsAttr::get(tableType, ArrayRef<float>(frequencies)));
    SmallVector<OpFoldResult> sizes = resultSizes(e.sizeRules, adaptor);
    MLIRContext *context = rewriter.getContext();
    rewriter.replaceOp(
        op,
        e.map(type, sizes, {adaptor.getInput()},
              {AffineMap::get(2, 0, {rewriter.getAffineDimExpr(0)}, context)},
              [&](OpBuilder &b, Location l, ValueRange args) -> Value {
                Value column = linalg::IndexOp::create(b, l, 1);
                Value halfIndex = arith::ConstantIndexOp::create(b, l, half);
                Value second = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::uge, column, halfIndex);
                Value i = arith::SelectOp::create(
                    b, l, second,
                    arith::SubIOp::create(b, l, column, halfIndex), column);
                // Padding columns read a frequency too, then drop it.
                Value row =
                    arith::MinUIOp::create(b, l, i,
                                           arith::ConstantIndexOp::create(
                                               b, l, frequencies.size() - 1));
                Value frequency =
                    tensor::ExtractOp::create(b, l, table, ValueRange{row});
                Value angle = arith::MulFOp::create(
                    b, l, constantF32(b, l, scale),
                    arith::MulFOp::create(b, l, args[0], frequency));
                Value sine = math::SinOp::create(b, l, angle);
                Value cosine = math::CosOp::create(b, l, angle);
                Value value =
                    flip ? arith::SelectOp::create(b, l, second, sine, cosine)
                         : arith::SelectOp::create(b, l, second, cosine, sine);
                // Odd dims: the last column is zero padding.
                Value padding = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::uge, column,
                    arith::ConstantIndexOp::create(b, l, 2 * half));
                return arith::SelectOp::create(b, l, padding,
                                               constantF32(b, l, 0.0), value);
              }));
    return success();
  }
};

struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

struct DimLowering : OpConversionPattern<DimOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DimOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<tensor::DimOp>(op, adaptor.getInput(),
                                               op.getAxis());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Unary bodies
//===----------------------------------------------------------------------===//

template <typename OpTy>
void addUnary(RewritePatternSet &patterns,
              typename UnaryLowering<OpTy>::Body body) {
  patterns.add<UnaryLowering<OpTy>>(patterns.getContext(), body);
}

void addUnaryPatterns(RewritePatternSet &patterns) {
  addUnary<SiluOp>(patterns, [](OpBuilder &b, Location l, Value x, SiluOp) {
    return Value(arith::MulFOp::create(b, l, x, sigmoid(b, l, x)));
  });
  addUnary<QuickGeluOp>(
      patterns, [](OpBuilder &b, Location l, Value x, QuickGeluOp) {
        Value scaled = arith::MulFOp::create(b, l, x, constantF32(b, l, 1.702));
        return Value(arith::MulFOp::create(b, l, x, sigmoid(b, l, scaled)));
      });
  addUnary<GeluOp>(patterns, [](OpBuilder &b, Location l, Value x, GeluOp op) {
    return gelu(b, l, x, op.getTanh());
  });
  addUnary<SigmoidOp>(patterns, [](OpBuilder &b, Location l, Value x,
                                   SigmoidOp) { return sigmoid(b, l, x); });
  addUnary<TanhOp>(patterns, [](OpBuilder &b, Location l, Value x, TanhOp) {
    return Value(math::TanhOp::create(b, l, x));
  });
  addUnary<ExpOp>(patterns, [](OpBuilder &b, Location l, Value x, ExpOp) {
    return Value(math::ExpOp::create(b, l, x));
  });
  addUnary<SqrtOp>(patterns, [](OpBuilder &b, Location l, Value x, SqrtOp) {
    return Value(math::SqrtOp::create(b, l, x));
  });
  addUnary<RsqrtOp>(patterns, [](OpBuilder &b, Location l, Value x, RsqrtOp) {
    return Value(math::RsqrtOp::create(b, l, x));
  });
  addUnary<AddScalarOp>(
      patterns, [](OpBuilder &b, Location l, Value x, AddScalarOp op) {
        return Value(arith::AddFOp::create(
            b, l, x, constantF32(b, l, op.getScalar().convertToDouble())));
      });
  addUnary<MulScalarOp>(
      patterns, [](OpBuilder &b, Location l, Value x, MulScalarOp op) {
        return Value(arith::MulFOp::create(
            b, l, x, constantF32(b, l, op.getScalar().convertToDouble())));
      });
  addUnary<ClampOp>(
      patterns, [](OpBuilder &b, Location l, Value x, ClampOp op) {
        Value low = arith::MaximumFOp::create(
            b, l, x, constantF32(b, l, op.getMin().convertToDouble()));
        return Value(arith::MinimumFOp::create(
            b, l, low, constantF32(b, l, op.getMax().convertToDouble())));
      });
  addUnary<CastOp>(patterns,
                   [](OpBuilder &, Location, Value x, CastOp) { return x; });
}

struct LowerToLinalgPass : avila::impl::LowerToLinalgBase<LowerToLinalgPass> {
  using LowerToLinalgBase::LowerToLinalgBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    addUnaryPatterns(patterns);
    patterns.add<BinaryLowering<AddOp, arith::AddFOp>,
                 BinaryLowering<SubOp, arith::SubFOp>,
                 BinaryLowering<MulOp, arith::MulFOp>,
                 BinaryLowering<DivOp, arith::DivFOp>, GegluLowering,
                 LinearLowering, MatmulLowering, Conv2DLowering,
                 LayerNormLowering, GroupNormLowering, SoftmaxLowering,
                 AttentionLowering, TransposeLowering, ReshapeLowering,
                 ConcatLowering, SliceLowering, SplitLowering,
                 UpsampleNearestLowering, AvgPool2DLowering, GatherLowering,
                 TimestepEmbeddingLowering, ConstantLowering, DimLowering>(
        context);
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    target.addIllegalDialect<AvilaDialect>();
    target.addLegalOp<WeightOp>();
    if (keepWholeAttention) {
      patterns.add<WholeAttentionLowering>(context);
      target.addLegalOp<FusedAttentionOp>();
    }
    if (keepWholeNorms) {
      patterns.add<WholeGroupNormLowering, WholeLayerNormLowering,
                   SiluOfWholeNormLowering>(context);
      target.addLegalOp<FusedGroupNormOp>();
    }
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
