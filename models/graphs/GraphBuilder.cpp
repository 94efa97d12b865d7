//===- GraphBuilder.cpp - Writing networks in the avila dialect -----------===//

#include "models/graphs/GraphBuilder.h"

#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/MixedSizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"

using namespace mlir;

namespace avila::models {

GraphBuilder::GraphBuilder(ModuleOp module, Type elementType)
    : b(module.getContext()), location(b.getUnknownLoc()),
      elementType(elementType), module(module) {}

SmallVector<Value> GraphBuilder::beginFunction(StringRef name,
                                               TypeRange inputs) {
  b.setInsertionPointToEnd(module.getBody());
  function =
      func::FuncOp::create(b, location, name, b.getFunctionType(inputs, {}));
  Block *body = function.addEntryBlock();
  b.setInsertionPointToStart(body);
  return SmallVector<Value>(body->getArguments());
}

func::FuncOp GraphBuilder::endFunction(ValueRange results) {
  func::ReturnOp::create(b, location, results);
  function.setType(
      b.getFunctionType(function.getArgumentTypes(), TypeRange(results)));
  return function;
}

RankedTensorType GraphBuilder::tensor(ArrayRef<int64_t> shape) const {
  return RankedTensorType::get(shape, elementType);
}

Value GraphBuilder::weight(const std::string &name, ArrayRef<int64_t> shape) {
  return WeightOp::create(b, location, tensor(shape), name);
}

int64_t GraphBuilder::staticSize(Value x, int64_t axis) {
  return cast<RankedTensorType>(x.getType()).getDimSize(axis);
}

OpFoldResult GraphBuilder::size(Value x, int64_t axis) {
  return getMixedSize(b, location, x, axis);
}

Value GraphBuilder::conv2d(Value x, const std::string &layer,
                           int64_t outChannels, int64_t kernel, int64_t stride,
                           std::array<int64_t, 4> padding) {
  const int64_t inChannels = staticSize(x, 1);
  Value w =
      weight(layer + ".weight", {outChannels, inChannels, kernel, kernel});
  Value bias = weight(layer + ".bias", {outChannels});
  return Conv2DOp::create(b, location, x, w, bias,
                          ArrayRef<int64_t>{stride, stride}, padding,
                          /*groups=*/1);
}

Value GraphBuilder::conv3x3(Value x, const std::string &layer,
                            int64_t outChannels) {
  return conv2d(x, layer, outChannels, 3, 1, {1, 1, 1, 1});
}

Value GraphBuilder::conv1x1(Value x, const std::string &layer,
                            int64_t outChannels) {
  return conv2d(x, layer, outChannels, 1, 1, {0, 0, 0, 0});
}

Value GraphBuilder::linear(Value x, const std::string &layer,
                           int64_t outFeatures, bool bias) {
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t inFeatures = type.getShape().back();
  Value w = weight(layer + ".weight", {outFeatures, inFeatures});
  Value biasValue = bias ? weight(layer + ".bias", {outFeatures}) : Value();
  return LinearOp::create(b, location, x, w, biasValue);
}

Value GraphBuilder::groupNorm(Value x, const std::string &layer, int64_t groups,
                              double epsilon) {
  const int64_t channels = staticSize(x, 1);
  return GroupNormOp::create(
      b, location, x, weight(layer + ".weight", {channels}),
      weight(layer + ".bias", {channels}), b.getI64IntegerAttr(groups),
      b.getF64FloatAttr(epsilon));
}

Value GraphBuilder::layerNorm(Value x, const std::string &layer,
                              double epsilon) {
  const int64_t features =
      cast<RankedTensorType>(x.getType()).getShape().back();
  return LayerNormOp::create(
      b, location, x, weight(layer + ".weight", {features}),
      weight(layer + ".bias", {features}), b.getF64FloatAttr(epsilon));
}

Value GraphBuilder::attention(Value query, Value key, Value value,
                              int64_t heads, bool causal) {
  return AttentionOp::create(b, location, query, key, value, Value(), heads,
                             causal, /*scale=*/FloatAttr());
}

Value GraphBuilder::silu(Value x) { return SiluOp::create(b, location, x); }

Value GraphBuilder::add(Value a, Value c) {
  return AddOp::create(b, location, a, c);
}

Value GraphBuilder::imageToSequence(Value image) {
  Value channelsLast =
      TransposeOp::create(b, location, image, ArrayRef<int64_t>{0, 2, 3, 1});
  const int64_t height = staticSize(image, 2), width = staticSize(image, 3);
  OpFoldResult pixels;
  if (!ShapedType::isDynamic(height) && !ShapedType::isDynamic(width))
    pixels = b.getIndexAttr(height * width);
  else
    pixels = arith::MulIOp::create(
                 b, location,
                 getValueOrCreateConstantIndexOp(b, location, size(image, 2)),
                 getValueOrCreateConstantIndexOp(b, location, size(image, 3)))
                 .getResult();
  return createReshape(b, location, channelsLast,
                       {size(image, 0), pixels, size(image, 1)});
}

Value GraphBuilder::sequenceToImage(Value sequence, Value like) {
  Value channelsLast = createReshape(
      b, location, sequence,
      {size(like, 0), size(like, 2), size(like, 3), size(sequence, 2)});
  return TransposeOp::create(b, location, channelsLast,
                             ArrayRef<int64_t>{0, 3, 1, 2});
}

Value GraphBuilder::upsampleTo(Value x, Value like) {
  auto type = cast<RankedTensorType>(x.getType());
  auto result = RankedTensorType::get(
      {type.getDimSize(0), type.getDimSize(1), kDynamic, kDynamic},
      type.getElementType());
  Value height = DimOp::create(b, location, like, 2);
  Value width = DimOp::create(b, location, like, 3);
  return UpsampleNearestOp::create(b, location, result, x,
                                   ValueRange{height, width});
}

} // namespace avila::models
