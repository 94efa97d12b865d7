//===- Tensor.cpp - Host tensors of the reference interpreter -------------===//

#include "compiler/interpreter/Tensor.h"
#include "runtime/base/Float16.h"

#include <cassert>

namespace avila::interp {

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::F16:
    return "f16";
  case ElementType::BF16:
    return "bf16";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  return "?";
}

bool isFloat(ElementType type) {
  return type == ElementType::F32 || type == ElementType::F16 ||
         type == ElementType::BF16;
}

float roundTo(ElementType type, float value) {
  switch (type) {
  case ElementType::F16:
    return roundToHalf(value);
  case ElementType::BF16:
    return roundToBFloat16(value);
  default:
    return value;
  }
}

int64_t numElements(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::string shapeString(const Shape &shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text.empty() ? "scalar" : text;
}

Tensor Tensor::zeros(ElementType type, Shape shape) {
  Tensor tensor;
  tensor.elementType = type;
  tensor.shape = std::move(shape);
  if (isFloat(type))
    tensor.floats.assign(tensor.numElements(), 0.0f);
  else
    tensor.ints.assign(tensor.numElements(), 0);
  return tensor;
}

Tensor Tensor::fromFloats(ElementType type, Shape shape,
                          std::vector<float> values) {
  assert(isFloat(type) && numElements(shape) == (int64_t)values.size());
  Tensor tensor{type, std::move(shape), std::move(values), {}};
  tensor.roundValues();
  return tensor;
}

Tensor Tensor::fromInts(ElementType type, Shape shape,
                        std::vector<int64_t> values) {
  assert(!isFloat(type) && numElements(shape) == (int64_t)values.size());
  return Tensor{type, std::move(shape), {}, std::move(values)};
}

void Tensor::roundValues() {
  if (elementType == ElementType::F32)
    return;
  for (float &value : floats)
    value = roundTo(elementType, value);
}

} // namespace avila::interp
