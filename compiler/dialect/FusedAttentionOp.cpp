//===- FusedAttentionOp.cpp - Attention a target runs whole ---------------===//
//
// avila.fused_attention is handed to every target backend as is; its
// verifier is the contract a target's kernel relies on (ranks, head split,
// matching sizes, a positive scale), so a lowering reads sizes by role.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/DestinationStyleRules.h"

using namespace mlir;

namespace avila {

LogicalResult FusedAttentionOp::verify() {
  if (failed(verifyTensorsOrBuffers(*this)))
    return failure();
  const char *names[] = {"query", "key", "value", "init"};
  SmallVector<ShapedType, 4> types;
  for (auto [name, operand] : llvm::zip(names, getOperands())) {
    auto type = cast<ShapedType>(operand.getType());
    if (type.getRank() != 3)
      return emitOpError(name) << " must be [B, L, E], not " << type;
    if (type.getElementType() !=
        cast<ShapedType>(getQuery().getType()).getElementType())
      return emitOpError(name)
             << " must have the query's element type, not " << type;
    types.push_back(type);
  }
  const int64_t heads = getNumHeads();
  if (heads < 1)
    return emitOpError("num_heads must be at least 1, not ") << heads;
  auto [query, key, value, init] =
      std::tuple(types[0], types[1], types[2], types[3]);
  for (ShapedType type : {query, value})
    if (type.isDynamicDim(2) || type.getDimSize(2) % heads)
      return emitOpError("embedding size of ")
             << type << " must be static and divisible by " << heads
             << " heads";
  if (key.getDimSize(2) != query.getDimSize(2) ||
      init.getDimSize(2) != value.getDimSize(2))
    return emitOpError("key must have the query's embedding size and init "
                       "the value's");
  if (!compatibleSizes(key.getDimSize(0), query.getDimSize(0)) ||
      !compatibleSizes(value.getDimSize(0), query.getDimSize(0)) ||
      !compatibleSizes(init.getDimSize(0), query.getDimSize(0)) ||
      !compatibleSizes(value.getDimSize(1), key.getDimSize(1)) ||
      !compatibleSizes(init.getDimSize(1), query.getDimSize(1)))
    return emitOpError("batch sizes must match, value must have the key's "
                       "length and init the query's");
  const double scale = getScale().convertToDouble();
  if (!(scale > 0))
    return emitOpError("scale must be positive, not ") << scale;
  return success();
}

void FusedAttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addBufferEffects(*this, effects);
}

} // namespace avila
