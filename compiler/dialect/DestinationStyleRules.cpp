//===- DestinationStyleRules.cpp - Rules of avila's kernel ops ------------===//

#include "compiler/dialect/DestinationStyleRules.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace avila {

LogicalResult verifyTensorsOrBuffers(DestinationStyleOpInterface op) {
  Value init = op.getDpsInits()[0];
  const bool onTensors = isa<RankedTensorType>(init.getType());
  for (Value operand : op->getOperands())
    if (isa<RankedTensorType>(operand.getType()) != onTensors ||
        !(isa<RankedTensorType>(operand.getType()) ||
          isa<MemRefType>(operand.getType())))
      return op->emitOpError(
          "operands must be all ranked tensors or all memrefs");
  if (onTensors ? op->getNumResults() != 1 ||
                      op->getResult(0).getType() != init.getType()
                : op->getNumResults() != 0)
    return op->emitOpError(onTensors ? "on tensors returns the init's type"
                                     : "on memrefs has no result");
  return success();
}

bool compatibleSizes(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

void addBufferEffects(
    DestinationStyleOpInterface op,
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand &operand : op->getOpOperands()) {
    if (!isa<MemRefType>(operand.get().getType()))
      continue;
    effects.emplace_back(MemoryEffects::Read::get(), &operand,
                         SideEffects::DefaultResource::get());
    if (op.isDpsInit(&operand))
      effects.emplace_back(MemoryEffects::Write::get(), &operand,
                           SideEffects::DefaultResource::get());
  }
}

} // namespace avila
