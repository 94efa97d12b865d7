//===- ContractionsToUkernels.cpp - Contractions as runtime ukernel calls -===//
//
// Matmuls and convolutions carry nearly all of a diffusion model's
// arithmetic. Their loops are replaced by calls of the CPU runtime's
// contraction ukernels (packed, register-tiled, vectorized, threaded), which
// address every operand through element strides, so views from reshapes and
// head splits need no copies.
//
//===----------------------------------------------------------------------===//

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/UkernelCalls.h"

namespace avila {
#define GEN_PASS_DEF_CONTRACTIONSTOUKERNELS
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;
using namespace avila;

namespace {

using cpu::Ukernel;

// out + a · b in f32, in either operand order.
bool isMultiplyAccumulate(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1)
    return false;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
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
// w[o, c, ky, kx] into out[n, o, y, x], as Conv2DLowering writes them.
std::optional<std::pair<int64_t, int64_t>>
matchConvolution(linalg::GenericOp op) {
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
  return std::pair(*strideH, *strideW);
}

void replaceConvolution(linalg::GenericOp op, int64_t strideH,
                        int64_t strideW) {
  OpBuilder b(op);
  UkernelCallEmitter e(b, op.getLoc());
  BufferView input = e.describe(op.getDpsInputs()[0]);
  BufferView weight = e.describe(op.getDpsInputs()[1]);
  BufferView output = e.describe(op.getDpsInits()[0]);
  using namespace cpu::conv2d;
  SmallVector<Value> params(Count);
  params[Input] = input.address;
  params[Weight] = weight.address;
  params[Output] = output.address;
  params[Batch] = output.sizes[0];
  params[OutChannels] = output.sizes[1];
  params[InChannels] = weight.sizes[1];
  params[KernelH] = weight.sizes[2];
  params[KernelW] = weight.sizes[3];
  params[OutH] = output.sizes[2];
  params[OutW] = output.sizes[3];
  params[StrideH] = e.index(strideH);
  params[StrideW] = e.index(strideW);
  for (int i = 0; i < 4; ++i) {
    params[InputStrideN + i] = input.strides[i];
    params[WeightStrideO + i] = weight.strides[i];
    params[OutputStrideN + i] = output.strides[i];
  }
  e.call(op->getParentOfType<ModuleOp>(), Ukernel::Conv2D, params);
  op.erase();
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

void replaceMatmul(linalg::GenericOp op, const MatmulDims &dims) {
  OpBuilder b(op);
  UkernelCallEmitter e(b, op.getLoc());
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  BufferView buffers[3] = {e.describe(op.getDpsInputs()[0]),
                           e.describe(op.getDpsInputs()[1]),
                           e.describe(op.getDpsInits()[0])};
  Value zero = e.index(0), one = e.index(1);
  auto position = [&](int operand, int64_t d) {
    return maps[operand].getResultPosition(
        getAffineDimExpr(d, op.getContext()));
  };
  auto stride = [&](int operand, int64_t d) -> Value {
    if (d < 0)
      return zero;
    std::optional<unsigned> p = position(operand, d);
    return p ? buffers[operand].strides[*p] : zero;
  };
  auto size = [&](int64_t d) -> Value {
    if (d < 0)
      return one;
    for (int operand = 0; operand < 3; ++operand)
      if (std::optional<unsigned> p = position(operand, d))
        return buffers[operand].sizes[*p];
    llvm_unreachable("a matched dimension indexes some operand");
  };
  int64_t batch[3] = {-1, -1, -1};
  llvm::copy(dims.batch, batch);

  using namespace cpu::matmul;
  SmallVector<Value> params(Count);
  params[A] = buffers[0].address;
  params[B] = buffers[1].address;
  params[C] = buffers[2].address;
  for (int i = 0; i < 3; ++i) {
    params[Batch0 + i] = size(batch[i]);
    params[AStrideBatch0 + i] = stride(0, batch[i]);
    params[BStrideBatch0 + i] = stride(1, batch[i]);
    params[CStrideBatch0 + i] = stride(2, batch[i]);
  }
  params[M] = size(dims.m);
  params[N] = size(dims.n);
  params[K] = size(dims.k);
  params[AStrideM] = stride(0, dims.m);
  params[AStrideK] = stride(0, dims.k);
  params[BStrideK] = stride(1, dims.k);
  params[BStrideN] = stride(1, dims.n);
  params[CStrideM] = stride(2, dims.m);
  params[CStrideN] = stride(2, dims.n);
  e.call(op->getParentOfType<ModuleOp>(), Ukernel::Matmul, params);
  op.erase();
}

struct ContractionsToUkernels
    : avila::impl::ContractionsToUkernelsBase<ContractionsToUkernels> {
  void runOnOperation() override {
    SmallVector<linalg::GenericOp> contractions;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isMultiplyAccumulate(op))
        contractions.push_back(op);
    });
    for (linalg::GenericOp op : contractions) {
      if (auto strides = matchConvolution(op))
        replaceConvolution(op, strides->first, strides->second);
      else if (auto dims = matchMatmul(op))
        replaceMatmul(op, *dims);
    }
  }
};

} // namespace
