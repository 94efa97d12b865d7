//===- DecomposeComposites.cpp - Composite avila ops as primitives --------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/MixedSizes.h"
#include "compiler/transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace avila {
#define GEN_PASS_DEF_DECOMPOSECOMPOSITES
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;
using namespace avila;

namespace {

// softmax(Q Kᵀ · scale + mask) V per head, with heads as a batch dimension:
// [B, L, H·d] is reshaped to [B, L, H, d] and transposed to [B, H, L, d].
struct DecomposeAttention : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getCausal())
      return rewriter.notifyMatchFailure(op, "causal mask needs run time");
    RankedTensorType queryType = op.getQuery().getType();
    int64_t embed = queryType.getDimSize(2);
    int64_t valueEmbed = op.getValue().getType().getDimSize(2);
    if (ShapedType::isDynamic(embed) || ShapedType::isDynamic(valueEmbed))
      return rewriter.notifyMatchFailure(op, "dynamic embedding size");

    Location loc = op.getLoc();
    int64_t heads = op.getNumHeads();
    auto splitHeads = [&](Value x, int64_t headDim,
                          ArrayRef<int64_t> perm) -> Value {
      Value split = createReshape(
          rewriter, loc, x,
          {getMixedSize(rewriter, loc, x, 0), getMixedSize(rewriter, loc, x, 1),
           rewriter.getIndexAttr(heads), rewriter.getIndexAttr(headDim)});
      return TransposeOp::create(rewriter, loc, split, perm);
    };
    Value query = splitHeads(op.getQuery(), embed / heads, {0, 2, 1, 3});
    Value keyT = splitHeads(op.getKey(), embed / heads, {0, 2, 3, 1});
    Value value = splitHeads(op.getValue(), valueEmbed / heads, {0, 2, 1, 3});

    const double scale = *op.getEffectiveScale();
    Value scores = MulScalarOp::create(
        rewriter, loc, MatmulOp::create(rewriter, loc, query, keyT),
        rewriter.getF64FloatAttr(scale));
    if (Value mask = op.getMask()) {
      if (cast<RankedTensorType>(mask.getType()).getRank() == 3)
        mask = createReshape(rewriter, loc, mask,
                             {getMixedSize(rewriter, loc, mask, 0),
                              rewriter.getIndexAttr(1),
                              getMixedSize(rewriter, loc, mask, 1),
                              getMixedSize(rewriter, loc, mask, 2)});
      scores = AddOp::create(rewriter, loc, scores, mask);
    }
    Value probs = SoftmaxOp::create(rewriter, loc, scores, /*axis=*/3);
    Value heads4d = TransposeOp::create(
        rewriter, loc, MatmulOp::create(rewriter, loc, probs, value),
        ArrayRef<int64_t>{0, 2, 1, 3});

    RankedTensorType resultType = op.getType();
    SmallVector<OpFoldResult> sizes;
    for (int64_t axis = 0; axis < 3; ++axis) {
      int64_t size = resultType.getDimSize(axis);
      sizes.push_back(ShapedType::isDynamic(size)
                          ? getMixedSize(rewriter, loc, op.getQuery(), axis)
                          : rewriter.getIndexAttr(size));
    }
    rewriter.replaceOp(op, createReshape(rewriter, loc, heads4d, sizes));
    return success();
  }
};

struct DecomposeGeglu : OpRewritePattern<GegluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GegluOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType half = op.getType();
    auto split = SplitOp::create(rewriter, op.getLoc(), TypeRange{half, half},
                                 op.getInput(), half.getRank() - 1);
    Value gate = GeluOp::create(rewriter, op.getLoc(), split.getResult(1));
    rewriter.replaceOpWithNewOp<MulOp>(op, split.getResult(0), gate);
    return success();
  }
};

// x · sigmoid(factor · x): silu has factor 1, quick_gelu 1.702.
template <typename OpTy> struct DecomposeSigmoidGate : OpRewritePattern<OpTy> {
  DecomposeSigmoidGate(MLIRContext *context, double factor)
      : OpRewritePattern<OpTy>(context), factor(factor) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value x = op.getInput();
    Value scaled = factor == 1.0
                       ? x
                       : MulScalarOp::create(rewriter, op.getLoc(), x,
                                             rewriter.getF64FloatAttr(factor));
    Value gate = SigmoidOp::create(rewriter, op.getLoc(), scaled);
    rewriter.replaceOpWithNewOp<MulOp>(op, x, gate);
    return success();
  }

  double factor;
};

struct DecomposeCompositesPass
    : avila::impl::DecomposeCompositesBase<DecomposeCompositesPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<DecomposeAttention, DecomposeGeglu>(context);
    patterns.add<DecomposeSigmoidGate<SiluOp>>(context, 1.0);
    patterns.add<DecomposeSigmoidGate<QuickGeluOp>>(context, 1.702);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
