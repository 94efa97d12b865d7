//===- ContractionOp.cpp - The recognized multiply-accumulate -------------===//
//
// avila.contraction is what the shared phases hand every target backend
// instead of loops: its verifier is the contract those backends rely on, so
// a lowering can read sizes and strides by role without re-checking.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/DestinationStyleRules.h"

#include "mlir/IR/AffineExpr.h"

using namespace mlir;

namespace avila {

namespace {

bool indexes(AffineMap map, int64_t loop) {
  return map.getResultPosition(getAffineDimExpr(loop, map.getContext()))
      .has_value();
}

LogicalResult verifyMatmul(ContractionOp op, ArrayRef<AffineMap> maps) {
  const int64_t loops = maps[0].getNumDims();
  for (AffineMap map : maps)
    if (!map.isProjectedPermutation(/*allowZeroInResults=*/false))
      return op.emitOpError("matmul needs projected permutation maps, not ")
             << AffineMapAttr::get(map);
  auto inRange = [&](int64_t loop) { return loop >= 0 && loop < loops; };
  const int64_t k = op.getKDim();
  if (!inRange(k) || !indexes(maps[0], k) || !indexes(maps[1], k) ||
      indexes(maps[2], k))
    return op.emitOpError("k_dim ")
           << k << " must be a loop below " << loops
           << " that lhs and rhs index and init does not";
  SmallVector<int64_t> parallel(op.getBatchDims());
  for (int64_t loop : {op.getMDim(), op.getNDim()})
    if (loop >= 0)
      parallel.push_back(loop);
  if (op.getBatchDims().size() > 3)
    return op.emitOpError("at most 3 batch_dims, not ")
           << op.getBatchDims().size();
  if (static_cast<int64_t>(parallel.size()) + 1 != loops)
    return op.emitOpError("batch_dims, m_dim, n_dim and k_dim must name each "
                          "of the ")
           << loops << " loops once";
  SmallVector<bool> seen(loops, false);
  seen[k] = true;
  for (int64_t loop : parallel) {
    if (!inRange(loop) || seen[loop] || !indexes(maps[2], loop))
      return op.emitOpError("parallel loop ")
             << loop << " must be a distinct loop below " << loops
             << " that init indexes";
    seen[loop] = true;
  }
  const int64_t m = op.getMDim(), n = op.getNDim();
  if (m >= 0 && (!indexes(maps[0], m) || indexes(maps[1], m)))
    return op.emitOpError("m_dim ") << m << " must index lhs only";
  if (n >= 0 && (!indexes(maps[1], n) || indexes(maps[0], n)))
    return op.emitOpError("n_dim ") << n << " must index rhs only";
  return success();
}

LogicalResult verifyConv2D(ContractionOp op, ArrayRef<AffineMap> maps) {
  if (maps[0].getNumDims() != 7)
    return op.emitOpError("conv2d needs 7 loops (n, o, y, x, c, ky, kx), not ")
           << maps[0].getNumDims();
  ArrayRef<int64_t> strides = op.getWindowStrides();
  if (strides.size() != 2 || strides[0] < 1 || strides[1] < 1)
    return op.emitOpError(
        "conv2d needs window_strides [sh, sw], each at least 1");
  return success();
}

} // namespace

LogicalResult ContractionOp::verify() {
  if (failed(verifyTensorsOrBuffers(*this)))
    return failure();
  SmallVector<AffineMap> maps = getMaps();
  if (maps.size() != 3)
    return emitOpError("needs 3 indexing_maps (lhs, rhs, init), not ")
           << maps.size();
  for (auto [map, operand] : llvm::zip(maps, getOperands())) {
    auto type = cast<ShapedType>(operand.getType());
    if (map.getNumDims() != maps[0].getNumDims() || map.getNumSymbols() ||
        map.getNumResults() != type.getRank())
      return emitOpError("indexing map ")
             << AffineMapAttr::get(map) << " does not fit " << type
             << " in the loop space of " << AffineMapAttr::get(maps[0]);
  }
  if (getKind() == "matmul")
    return verifyMatmul(*this, maps);
  if (getKind() == "conv2d")
    return verifyConv2D(*this, maps);
  return emitOpError("kind must be matmul or conv2d, not '")
         << getKind() << "'";
}

void ContractionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addBufferEffects(*this, effects);
}

} // namespace avila
