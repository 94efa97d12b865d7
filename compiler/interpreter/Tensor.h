//===- Tensor.h - Host tensors of the reference interpreter ------*- C++
//-*-===//
//
// The interpreter computes in float (accumulating in double) and stores each
// result rounded to its declared element type, so an f16 tensor holds only
// values an f16 buffer could hold. Integer tensors (token ids) keep int64.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_INTERPRETER_TENSOR_H
#define AVILA_COMPILER_INTERPRETER_TENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace avila::interp {

enum class ElementType { F32, F16, BF16, I32, I64 };

const char *elementTypeName(ElementType type);
bool isFloat(ElementType type);
/// The nearest value of a float element type.
float roundTo(ElementType type, float value);

using Shape = std::vector<int64_t>;

int64_t numElements(const Shape &shape);
/// Row-major strides, in elements.
Shape stridesOf(const Shape &shape);
/// "2x3x4".
std::string shapeString(const Shape &shape);

struct Tensor {
  ElementType elementType = ElementType::F32;
  Shape shape;
  std::vector<float> floats; // float element types
  std::vector<int64_t> ints; // integer element types

  static Tensor zeros(ElementType type, Shape shape);
  /// Rounds every value to `type`.
  static Tensor fromFloats(ElementType type, Shape shape,
                           std::vector<float> values);
  static Tensor fromInts(ElementType type, Shape shape,
                         std::vector<int64_t> values);

  int64_t numElements() const { return interp::numElements(shape); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  /// Rounds every value to the element type, after a kernel wrote floats.
  void roundValues();
};

} // namespace avila::interp

#endif // AVILA_COMPILER_INTERPRETER_TENSOR_H
