//===- FusedGroupNormOp.cpp - A normalization a target runs whole --------===//
//
// avila.fused_group_norm is handed to a target backend as is; its verifier
// is the contract that target's kernel relies on (the input's shape for
// the init, a static channel count the groups divide, one scale and shift
// per channel), so a lowering reads sizes by role.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/DestinationStyleRules.h"

#include <cmath>

using namespace mlir;

namespace avila {

LogicalResult FusedGroupNormOp::verify() {
  if (failed(verifyTensorsOrBuffers(*this)))
    return failure();
  auto input = cast<ShapedType>(getInput().getType());
  auto init = cast<ShapedType>(getInit().getType());
  const char *names[] = {"gamma", "beta", "init"};
  for (auto [name, operand] : llvm::zip(names, getOperands().drop_front())) {
    auto type = cast<ShapedType>(operand.getType());
    if (type.getElementType() != input.getElementType())
      return emitOpError(name)
             << " must have the input's element type, not " << type;
  }
  const int64_t axis = getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOpError("axis ") << axis << " is not a dimension of " << input;
  if (init.getRank() != input.getRank() ||
      !llvm::all_of(llvm::seq(input.getRank()), [&](int64_t d) {
        return compatibleSizes(init.getDimSize(d), input.getDimSize(d));
      }))
    return emitOpError("init must have the input's shape, not ") << init;
  const int64_t channels = input.getDimSize(axis), groups = getNumGroups();
  if (ShapedType::isDynamic(channels) || groups < 1 || channels % groups)
    return emitOpError("channels of ")
           << input << " must be static and divisible by " << groups
           << " groups";
  for (Value affine : {getGamma(), getBeta()}) {
    auto type = cast<ShapedType>(affine.getType());
    if (type.getRank() != 1 || !compatibleSizes(type.getDimSize(0), channels))
      return emitOpError("gamma and beta must hold one value per channel, "
                         "not ")
             << type;
  }
  const double epsilon = getEpsilon().convertToDouble();
  if (!(epsilon >= 0) || !std::isfinite(epsilon))
    return emitOpError("epsilon must be finite and non-negative, not ")
           << epsilon;
  return success();
}

void FusedGroupNormOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  addBufferEffects(*this, effects);
}

} // namespace avila
