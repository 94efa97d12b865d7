//===- WholeAttention.cpp - Attention a target runs as one kernel ---------===//

#include "compiler/transforms/WholeAttention.h"

using namespace mlir;

namespace avila {

bool runsAsWholeAttention(AttentionOp op) {
  std::optional<double> scale = op.getEffectiveScale();
  return !op.getMask() && !op.getCausal() && scale && *scale > 0 &&
         llvm::all_of(
             op->getOperandTypes(),
             [](Type type) {
               return cast<RankedTensorType>(type).getElementType().isF32();
             }) &&
         op.getType().getElementType().isF32() &&
         !op.getQuery().getType().isDynamicDim(2) &&
         !op.getValue().getType().isDynamicDim(2);
}

} // namespace avila
