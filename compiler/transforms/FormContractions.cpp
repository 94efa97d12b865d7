//===- FormContractions.cpp - Multiply-accumulates as avila.contraction ---===//
//
// Matmuls and convolutions carry nearly all of a diffusion model's
// arithmetic, and every target runs them with a kernel of its own rather
// than the generated loops. They are recognized here, once, on tensors, so
// that no target backend matches loops again and each sees the same set.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/transforms/Passes.h"

namespace avila {
#define GEN_PASS_DEF_FORMCONTRACTIONS
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;
using namespace avila;

namespace {

// out + a · b in f32, in either operand order.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return false;
  }
  Block &body = op.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto add = body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value a = body.getArgument(0), b = body.getArgument(1),
        out = body.getArgument(2);
  Value product = add.getLhs() == out   ? add.getRhs()
                  : add.getRhs() == out ? add.getLhs()
                                        : Value();
  auto multiply = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  return multiply && ((multiply.getLhs() == a && multiply.getRhs() == b) ||
                      (multiply.getLhs() == b && multiply.getRhs() == a));
}

// `expr` as d<outer> · stride + d<inner>; the stride, or nothing.
std::optional<int64_t> windowStride(AffineExpr expr, unsigned outer,
                                    unsigned inner) {
  auto add = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!add || add.getKind() != AffineExprKind::Add)
    return std::nullopt;
  MLIRContext *context = expr.getContext();
  AffineExpr outerDim = getAffineDimExpr(outer, context);
  AffineExpr innerDim = getAffineDimExpr(inner, context);
  for (auto [scaled, offset] : {std::pair(add.getLHS(), add.getRHS()),
                                std::pair(add.getRHS(), add.getLHS())}) {
    if (offset != innerDim)
      continue;
    if (scaled == outerDim)
      return 1;
    auto multiply = dyn_cast<AffineBinaryOpExpr>(scaled);
    if (multiply && multiply.getKind() == AffineExprKind::Mul &&
        multiply.getLHS() == outerDim)
      if (auto stride = dyn_cast<AffineConstantExpr>(multiply.getRHS()))
        return stride.getValue();
  }
  return std::nullopt;
}

// Loops (n, o, y, x, c, ky, kx) reading in[n, c, y·sh + ky, x·sw + kx] and
// w[o, c, ky, kx] into out[n, o, y, x], as Conv2DLowering writes them; the
// window strides [sh, sw].
std::optional<std::array<int64_t, 2>> matchConvolution(linalg::GenericOp op) {
  if (op.getNumLoops() != 7)
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < 7; ++d)
    if ((d < 4) != (iterators[d] == utils::IteratorType::parallel))
      return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  MLIRContext *context = op.getContext();
  auto dims = [&](ArrayRef<unsigned> positions) {
    SmallVector<AffineExpr> exprs;
    for (unsigned p : positions)
      exprs.push_back(getAffineDimExpr(p, context));
    return AffineMap::get(7, 0, exprs, context);
  };
  if (maps[1] != dims({1, 4, 5, 6}) || maps[2] != dims({0, 1, 2, 3}))
    return std::nullopt;
  AffineMap input = maps[0];
  if (input.getNumResults() != 4 ||
      input.getResult(0) != getAffineDimExpr(0, context) ||
      input.getResult(1) != getAffineDimExpr(4, context))
    return std::nullopt;
  std::optional<int64_t> strideH = windowStride(input.getResult(2), 2, 5);
  std::optional<int64_t> strideW = windowStride(input.getResult(3), 3, 6);
  if (!strideH || !strideW)
    return std::nullopt;
  return std::array{*strideH, *strideW};
}

// Projected-permutation maps with one reduction dimension, which A and B
// index and C does not; every parallel dimension indexes C.
struct MatmulDims {
  int64_t m = -1, n = -1, k = -1;
  SmallVector<int64_t> batch;
};

std::optional<MatmulDims> matchMatmul(linalg::GenericOp op) {
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap map) {
        return map.isProjectedPermutation(/*allowZeroInResults=*/false);
      }))
    return std::nullopt;
  auto iterators = op.getIteratorTypesArray();
  MatmulDims dims;
  SmallVector<int64_t> rowsOnly, columnsOnly;
  for (unsigned d = 0; d < op.getNumLoops(); ++d) {
    auto indexes = [&](int operand) {
      return maps[operand]
          .getResultPosition(getAffineDimExpr(d, op.getContext()))
          .has_value();
    };
    const bool inA = indexes(0), inB = indexes(1), inC = indexes(2);
    if (iterators[d] == utils::IteratorType::reduction) {
      if (!inA || !inB || inC || dims.k >= 0)
        return std::nullopt;
      dims.k = d;
      continue;
    }
    if (!inC)
      return std::nullopt;
    if (inA && !inB)
      rowsOnly.push_back(d);
    else if (inB && !inA)
      columnsOnly.push_back(d);
    else
      dims.batch.push_back(d);
  }
  if (dims.k < 0)
    return std::nullopt;
  // The innermost row-only and column-only dimensions are M and N; any
  // others are batches that one operand does not depend on (stride 0).
  if (!rowsOnly.empty())
    dims.m = rowsOnly.pop_back_val();
  if (!columnsOnly.empty())
    dims.n = columnsOnly.pop_back_val();
  dims.batch.append(rowsOnly);
  dims.batch.append(columnsOnly);
  if (dims.batch.size() > 3)
    return std::nullopt;
  return dims;
}

// The generic's operands, maps and result, as a contraction of `kind`.
ContractionOp createContraction(OpBuilder &b, linalg::GenericOp op,
                                StringRef kind) {
  return ContractionOp::create(b, op.getLoc(), op.getResultTypes(),
                               op.getDpsInputs()[0], op.getDpsInputs()[1],
                               op.getDpsInits()[0], kind, op.getIndexingMaps());
}

struct FormContractions : avila::impl::FormContractionsBase<FormContractions> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> contractions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isMultiplyAccumulate(op))
        contractions.push_back(op);
    });
    for (linalg::GenericOp op : contractions) {
      OpBuilder b(op);
      ContractionOp contraction;
      if (auto strides = matchConvolution(op)) {
        contraction = createContraction(b, op, "conv2d");
        contraction.setWindowStrides(*strides);
      } else if (auto dims = matchMatmul(op)) {
        contraction = createContraction(b, op, "matmul");
        contraction.setBatchDims(dims->batch);
        contraction.setMDim(dims->m);
        contraction.setNDim(dims->n);
        contraction.setKDim(dims->k);
      } else {
        continue;
      }
      op.replaceAllUsesWith(contraction.getResult());
      op.erase();
    }
  }
};

} // namespace
