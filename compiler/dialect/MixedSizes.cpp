//===- MixedSizes.cpp - Sizes that are static or known at run time --------===//

#include "compiler/dialect/MixedSizes.h"
#include "compiler/dialect/AvilaOps.h"

using namespace mlir;

namespace avila {

OpFoldResult getMixedSize(OpBuilder &builder, Location loc, Value value,
                          int64_t axis) {
  int64_t size = cast<RankedTensorType>(value.getType()).getDimSize(axis);
  if (!ShapedType::isDynamic(size))
    return builder.getIndexAttr(size);
  return DimOp::create(builder, loc, value, axis).getResult();
}

Value createReshape(OpBuilder &builder, Location loc, Value input,
                    ArrayRef<OpFoldResult> sizes) {
  SmallVector<int64_t> shape;
  SmallVector<Value> dims;
  for (OpFoldResult size : sizes) {
    if (auto attr = dyn_cast<Attribute>(size)) {
      shape.push_back(cast<IntegerAttr>(attr).getInt());
      continue;
    }
    shape.push_back(ShapedType::kDynamic);
    dims.push_back(cast<Value>(size));
  }
  auto type = RankedTensorType::get(
      shape, cast<RankedTensorType>(input.getType()).getElementType());
  return ReshapeOp::create(builder, loc, type, input, dims);
}

} // namespace avila
