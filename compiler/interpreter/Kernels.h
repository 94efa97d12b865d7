//===- Kernels.h - Reference implementations of avila ops --------*- C++
//-*-===//
//
// The plainest loops that are obviously right: the oracle that every compiled
// kernel is checked against. Reductions accumulate in double. A kernel that
// changes shape takes its result shape from the op's size rule
// (RuntimeSizes.h, which also checks the sizes the rule requires to agree);
// each kernel checks what the rule does not (channels, bounds, divisibility)
// and returns an error rather than reading out of bounds. Results are float
// tensors; the interpreter rounds them to the op's declared element type.
// docs/dialect.md specifies every op.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_INTERPRETER_KERNELS_H
#define AVILA_COMPILER_INTERPRETER_KERNELS_H

#include "compiler/interpreter/Tensor.h"

#include "llvm/Support/Error.h"

#include <array>
#include <optional>

namespace avila::interp {

struct Conv2DParams {
  std::array<int64_t, 2> stride = {1, 1};
  std::array<int64_t, 4> padding = {0, 0, 0, 0}; // top, bottom, left, right
  int64_t groups = 1;
};

struct AttentionParams {
  int64_t numHeads = 1;
  bool causal = false;
  std::optional<double> scale; // default 1/sqrt(head dim)
};

struct TimestepEmbeddingParams {
  int64_t dim = 0;
  bool flipSinToCos = false;
  double shift = 1.0;
  double maxPeriod = 10000.0;
  double scale = 1.0;
};

enum class UnaryKind {
  Gelu,
  GeluTanh,
  QuickGelu,
  Silu,
  Sigmoid,
  Tanh,
  Exp,
  Sqrt,
  Rsqrt
};

enum class BinaryKind { Add, Sub, Mul, Div };

llvm::Expected<Tensor> conv2d(const Tensor &input, const Tensor &weight,
                              const Tensor *bias, const Conv2DParams &params,
                              const Shape &shape);
llvm::Expected<Tensor> linear(const Tensor &input, const Tensor &weight,
                              const Tensor *bias, const Shape &shape);
Tensor matmul(const Tensor &lhs, const Tensor &rhs, const Shape &shape);
llvm::Expected<Tensor> attention(const Tensor &query, const Tensor &key,
                                 const Tensor &value, const Tensor *mask,
                                 const AttentionParams &params,
                                 const Shape &shape);

llvm::Expected<Tensor> groupNorm(const Tensor &input, const Tensor &gamma,
                                 const Tensor &beta, int64_t numGroups,
                                 double epsilon);
llvm::Expected<Tensor> layerNorm(const Tensor &input, const Tensor &gamma,
                                 const Tensor &beta, double epsilon);
Tensor softmax(const Tensor &input, int64_t axis);
Tensor unary(UnaryKind kind, const Tensor &input);
llvm::Expected<Tensor> geglu(const Tensor &input, const Shape &shape);

llvm::Expected<Tensor> binary(BinaryKind kind, const Tensor &lhs,
                              const Tensor &rhs);
/// x · multiplier + addend.
Tensor affineScalar(const Tensor &input, double multiplier, double addend);
Tensor clamp(const Tensor &input, double min, double max);

Tensor concat(llvm::ArrayRef<const Tensor *> inputs, int64_t axis,
              const Shape &shape);
llvm::Expected<Tensor> slice(const Tensor &input, int64_t axis, int64_t start,
                             int64_t end, const Shape &shape);
/// `partShape` is the shape of each of the `parts` results.
llvm::Expected<std::vector<Tensor>>
split(const Tensor &input, int64_t axis, int64_t parts, const Shape &partShape);
llvm::Expected<Tensor> reshape(const Tensor &input, const Shape &shape);
Tensor transpose(const Tensor &input, llvm::ArrayRef<int64_t> perm,
                 const Shape &shape);
llvm::Expected<Tensor> upsampleNearest(const Tensor &input, const Shape &shape);
llvm::Expected<Tensor> avgPool2d(const Tensor &input,
                                 std::array<int64_t, 2> kernel,
                                 std::array<int64_t, 2> stride,
                                 const Shape &shape);
llvm::Expected<Tensor> gather(const Tensor &table, const Tensor &ids,
                              const Shape &shape);
Tensor timestepEmbedding(const Tensor &timesteps,
                         const TimestepEmbeddingParams &params);

} // namespace avila::interp

#endif // AVILA_COMPILER_INTERPRETER_KERNELS_H
