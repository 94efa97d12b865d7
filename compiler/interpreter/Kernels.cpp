//===- Kernels.cpp - Reference implementations of avila ops ---------------===//

#include "compiler/interpreter/Kernels.h"

#include "runtime/base/GatherIds.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace avila::interp {

namespace {

// Sizes the interpreter accepts from run-time values (reshape and upsample
// sizes): far above any image, far below what would overflow an index.
constexpr int64_t kMaxExtent = int64_t{1} << 20;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

Tensor floatTensor(Shape shape) {
  return Tensor::zeros(ElementType::F32, std::move(shape));
}

llvm::Error checkRank(const Tensor &tensor, int64_t rank, const char *what) {
  if (tensor.rank() != rank)
    return fail(llvm::Twine(what) + " must have rank " + llvm::Twine(rank) +
                ", got " + shapeString(tensor.shape));
  return llvm::Error::success();
}

llvm::Error checkSize(int64_t actual, int64_t expected, const char *what) {
  if (actual != expected)
    return fail(llvm::Twine(what) + " is " + llvm::Twine(actual) +
                ", expected " + llvm::Twine(expected));
  return llvm::Error::success();
}

llvm::Error checkVector(const Tensor *vector, int64_t size, const char *what) {
  if (!vector)
    return llvm::Error::success();
  if (auto error = checkRank(*vector, 1, what))
    return error;
  return checkSize(vector->shape[0], size, what);
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

// Splits a shape around `axis` into the number of elements before it, its
// size, and the number of elements after it.
struct AxisView {
  int64_t outer, size, inner;
};

AxisView viewAround(const Shape &shape, int64_t axis) {
  AxisView view{1, shape[axis], 1};
  for (int64_t i = 0; i < axis; ++i)
    view.outer *= shape[i];
  for (int64_t i = axis + 1; i < static_cast<int64_t>(shape.size()); ++i)
    view.inner *= shape[i];
  return view;
}

} // namespace

llvm::Expected<Tensor> conv2d(const Tensor &input, const Tensor &weight,
                              const Tensor *bias, const Conv2DParams &params,
                              const Shape &shape) {
  if (auto error = checkRank(input, 4, "conv2d input"))
    return std::move(error);
  if (auto error = checkRank(weight, 4, "conv2d weight"))
    return std::move(error);
  const int64_t batch = input.shape[0], inChannels = input.shape[1];
  const int64_t height = input.shape[2], width = input.shape[3];
  const int64_t outChannels = weight.shape[0], groupChannels = weight.shape[1];
  const int64_t kh = weight.shape[2], kw = weight.shape[3];
  const int64_t groups = params.groups;
  if (auto error = checkSize(inChannels, groupChannels * groups,
                             "conv2d input channels"))
    return std::move(error);
  if (auto error = checkVector(bias, outChannels, "conv2d bias size"))
    return std::move(error);
  const auto [top, bottom, left, right] = params.padding;
  const int64_t paddedH = height + top + bottom, paddedW = width + left + right;
  if (paddedH < kh || paddedW < kw)
    return fail("conv2d padded input " + llvm::Twine(paddedH) + "x" +
                llvm::Twine(paddedW) + " is smaller than the kernel " +
                llvm::Twine(kh) + "x" + llvm::Twine(kw));
  const int64_t outH = shape[2], outW = shape[3];
  const int64_t outPerGroup = outChannels / groups;

  // One output row at a time, on every core; each output element still
  // sums its terms in the order c, ky, kx, in double.
  Tensor out = floatTensor(shape);
  llvm::parallelFor(0, batch * outChannels * outH, [&](size_t row) {
    const int64_t y = row % outH, o = row / outH % outChannels,
                  n = row / outH / outChannels;
    const int64_t group = o / outPerGroup;
    std::vector<double> sums(outW, bias ? bias->floats[o] : 0.0);
    for (int64_t c = 0; c < groupChannels; ++c)
      for (int64_t ky = 0; ky < kh; ++ky) {
        const int64_t iy = y * params.stride[0] - top + ky;
        if (iy < 0 || iy >= height)
          continue;
        const float *in =
            &input.floats
                 [((n * inChannels + group * groupChannels + c) * height + iy) *
                  width];
        for (int64_t kx = 0; kx < kw; ++kx) {
          const double w =
              weight.floats[((o * groupChannels + c) * kh + ky) * kw + kx];
          // The outputs whose input column x·s − left + kx is inside.
          const int64_t stride = params.stride[1], shift = kx - left;
          const int64_t first = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
          const int64_t last = std::min(
              outW, width - shift <= 0 ? 0 : (width - shift - 1) / stride + 1);
          for (int64_t x = first; x < last; ++x)
            sums[x] += static_cast<double>(in[x * stride + shift]) * w;
        }
      }
    float *target = &out.floats[((n * outChannels + o) * outH + y) * outW];
    for (int64_t x = 0; x < outW; ++x)
      target[x] = static_cast<float>(sums[x]);
  });
  return out;
}

llvm::Expected<Tensor> linear(const Tensor &input, const Tensor &weight,
                              const Tensor *bias, const Shape &shape) {
  if (auto error = checkRank(weight, 2, "linear weight"))
    return std::move(error);
  const int64_t outFeatures = weight.shape[0], inFeatures = weight.shape[1];
  if (input.rank() < 1)
    return fail("linear input must have rank >= 1");
  if (auto error =
          checkSize(input.shape.back(), inFeatures, "linear input features"))
    return std::move(error);
  if (auto error = checkVector(bias, outFeatures, "linear bias size"))
    return std::move(error);
  Tensor out = floatTensor(shape);
  const int64_t rows = input.numElements() / std::max<int64_t>(inFeatures, 1);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < outFeatures; ++o) {
      double sum = bias ? bias->floats[o] : 0.0;
      for (int64_t k = 0; k < inFeatures; ++k)
        sum += static_cast<double>(input.floats[r * inFeatures + k]) *
               weight.floats[o * inFeatures + k];
      out.floats[r * outFeatures + o] = static_cast<float>(sum);
    }
  return out;
}

Tensor matmul(const Tensor &lhs, const Tensor &rhs, const Shape &shape) {
  const int64_t rank = lhs.rank();
  const int64_t m = shape[rank - 2], k = lhs.shape[rank - 1];
  const int64_t n = shape[rank - 1];
  const int64_t batch = numElements(Shape(shape.begin(), shape.end() - 2));
  Tensor out = floatTensor(shape);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0.0;
        for (int64_t p = 0; p < k; ++p)
          sum += static_cast<double>(lhs.floats[(b * m + i) * k + p]) *
                 rhs.floats[(b * k + p) * n + j];
        out.floats[(b * m + i) * n + j] = static_cast<float>(sum);
      }
  return out;
}

llvm::Expected<Tensor> attention(const Tensor &query, const Tensor &key,
                                 const Tensor &value, const Tensor *mask,
                                 const AttentionParams &params,
                                 const Shape &shape) {
  for (auto [tensor, what] : {std::pair{&query, "attention query"},
                              {&key, "attention key"},
                              {&value, "attention value"}})
    if (auto error = checkRank(*tensor, 3, what))
      return std::move(error);
  const int64_t batch = query.shape[0], queryLen = query.shape[1];
  const int64_t embed = query.shape[2], keyLen = key.shape[1];
  const int64_t valueEmbed = value.shape[2], heads = params.numHeads;
  if (auto error = checkSize(key.shape[2], embed, "attention key embedding"))
    return std::move(error);
  if (embed % heads != 0 || valueEmbed % heads != 0)
    return fail("attention embedding sizes must be divisible by num_heads");
  const int64_t headDim = embed / heads, valueHeadDim = valueEmbed / heads;
  const double scale =
      params.scale.value_or(1.0 / std::sqrt(static_cast<double>(headDim)));

  // One query row at a time, on every core.
  Tensor out = floatTensor(shape);
  llvm::parallelFor(0, batch * heads * queryLen, [&](size_t row) {
    const int64_t i = row % queryLen, h = row / queryLen % heads,
                  b = row / queryLen / heads;
    std::vector<double> scores(keyLen);
    double maxScore = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < keyLen; ++j) {
      if (params.causal && j > i) {
        scores[j] = -std::numeric_limits<double>::infinity();
        continue;
      }
      double dot = 0.0;
      for (int64_t d = 0; d < headDim; ++d)
        dot += static_cast<double>(
                   query.floats[(b * queryLen + i) * embed + h * headDim + d]) *
               key.floats[(b * keyLen + j) * embed + h * headDim + d];
      scores[j] = dot * scale;
      if (mask)
        scores[j] +=
            mask->floats[(mask->rank() == 3 ? b * queryLen * keyLen : 0) +
                         i * keyLen + j];
      maxScore = std::max(maxScore, scores[j]);
    }
    double total = 0.0;
    for (double &score : scores) {
      score = std::exp(score - maxScore);
      total += score;
    }
    // Σ_j p_j · v_j, a value row at a time (each output still sums over j
    // in order).
    std::vector<double> sums(valueHeadDim, 0.0);
    for (int64_t j = 0; j < keyLen; ++j) {
      const float *v =
          &value.floats[(b * keyLen + j) * valueEmbed + h * valueHeadDim];
      for (int64_t e = 0; e < valueHeadDim; ++e)
        sums[e] += scores[j] * v[e];
    }
    for (int64_t e = 0; e < valueHeadDim; ++e)
      out.floats[(b * queryLen + i) * valueEmbed + h * valueHeadDim + e] =
          static_cast<float>(sums[e] / total);
  });
  return out;
}

llvm::Expected<Tensor> groupNorm(const Tensor &input, const Tensor &gamma,
                                 const Tensor &beta, int64_t numGroups,
                                 double epsilon) {
  if (input.rank() < 2)
    return fail("group_norm input must have rank >= 2");
  const int64_t batch = input.shape[0], channels = input.shape[1];
  if (channels % numGroups != 0)
    return fail("group_norm channels (" + llvm::Twine(channels) +
                ") are not divisible by num_groups (" + llvm::Twine(numGroups) +
                ")");
  if (auto error = checkVector(&gamma, channels, "group_norm gamma size"))
    return std::move(error);
  if (auto error = checkVector(&beta, channels, "group_norm beta size"))
    return std::move(error);
  const int64_t spatial =
      input.numElements() / std::max<int64_t>(batch * channels, 1);
  const int64_t groupChannels = channels / numGroups;
  const int64_t groupSize = groupChannels * spatial;
  Tensor out = floatTensor(input.shape);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t g = 0; g < numGroups; ++g) {
      const int64_t base = (n * channels + g * groupChannels) * spatial;
      double mean = 0.0;
      for (int64_t i = 0; i < groupSize; ++i)
        mean += input.floats[base + i];
      mean /= static_cast<double>(groupSize);
      double variance = 0.0;
      for (int64_t i = 0; i < groupSize; ++i) {
        const double centered = input.floats[base + i] - mean;
        variance += centered * centered;
      }
      variance /= static_cast<double>(groupSize);
      const double invStd = 1.0 / std::sqrt(variance + epsilon);
      for (int64_t c = g * groupChannels; c < (g + 1) * groupChannels; ++c)
        for (int64_t i = (n * channels + c) * spatial,
                     end = (n * channels + c + 1) * spatial;
             i < end; ++i)
          out.floats[i] = static_cast<float>((input.floats[i] - mean) * invStd *
                                                 gamma.floats[c] +
                                             beta.floats[c]);
    }
  return out;
}

llvm::Expected<Tensor> layerNorm(const Tensor &input, const Tensor &gamma,
                                 const Tensor &beta, double epsilon) {
  if (input.rank() < 1)
    return fail("layer_norm input must have rank >= 1");
  const int64_t features = input.shape.back();
  if (auto error = checkVector(&gamma, features, "layer_norm gamma size"))
    return std::move(error);
  if (auto error = checkVector(&beta, features, "layer_norm beta size"))
    return std::move(error);
  Tensor out = floatTensor(input.shape);
  const int64_t rows = input.numElements() / std::max<int64_t>(features, 1);
  for (int64_t r = 0; r < rows; ++r) {
    const float *row = &input.floats[r * features];
    double mean = 0.0, variance = 0.0;
    for (int64_t i = 0; i < features; ++i)
      mean += row[i];
    mean /= static_cast<double>(features);
    for (int64_t i = 0; i < features; ++i)
      variance += (row[i] - mean) * (row[i] - mean);
    variance /= static_cast<double>(features);
    const double invStd = 1.0 / std::sqrt(variance + epsilon);
    for (int64_t i = 0; i < features; ++i)
      out.floats[r * features + i] = static_cast<float>(
          (row[i] - mean) * invStd * gamma.floats[i] + beta.floats[i]);
  }
  return out;
}

Tensor softmax(const Tensor &input, int64_t axis) {
  Tensor out = floatTensor(input.shape);
  const AxisView view = viewAround(input.shape, axis);
  for (int64_t o = 0; o < view.outer; ++o)
    for (int64_t in = 0; in < view.inner; ++in) {
      auto at = [&](int64_t i) {
        return (o * view.size + i) * view.inner + in;
      };
      double maxValue = -std::numeric_limits<double>::infinity();
      for (int64_t i = 0; i < view.size; ++i)
        maxValue = std::max<double>(maxValue, input.floats[at(i)]);
      double total = 0.0;
      for (int64_t i = 0; i < view.size; ++i)
        total += std::exp(input.floats[at(i)] - maxValue);
      for (int64_t i = 0; i < view.size; ++i)
        out.floats[at(i)] = static_cast<float>(
            std::exp(input.floats[at(i)] - maxValue) / total);
    }
  return out;
}

Tensor unary(UnaryKind kind, const Tensor &input) {
  auto apply = [kind](double x) -> double {
    switch (kind) {
    case UnaryKind::Gelu:
      return gelu(x);
    case UnaryKind::GeluTanh:
      return 0.5 * x *
             (1.0 +
              std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
    case UnaryKind::QuickGelu:
      return x * sigmoid(1.702 * x);
    case UnaryKind::Silu:
      return x * sigmoid(x);
    case UnaryKind::Sigmoid:
      return sigmoid(x);
    case UnaryKind::Tanh:
      return std::tanh(x);
    case UnaryKind::Exp:
      return std::exp(x);
    case UnaryKind::Sqrt:
      return std::sqrt(x);
    case UnaryKind::Rsqrt:
      return 1.0 / std::sqrt(x);
    }
    return x;
  };
  Tensor out = floatTensor(input.shape);
  for (int64_t i = 0; i < input.numElements(); ++i)
    out.floats[i] = static_cast<float>(apply(input.floats[i]));
  return out;
}

llvm::Expected<Tensor> geglu(const Tensor &input, const Shape &shape) {
  if (input.shape.back() % 2 != 0)
    return fail("geglu needs an even last dimension, got " +
                shapeString(input.shape));
  const int64_t half = shape.back();
  Tensor out = floatTensor(shape);
  const int64_t rows = out.numElements() / std::max<int64_t>(half, 1);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < half; ++i)
      out.floats[r * half + i] =
          static_cast<float>(input.floats[r * 2 * half + i] *
                             gelu(input.floats[r * 2 * half + half + i]));
  return out;
}

llvm::Expected<Tensor> binary(BinaryKind kind, const Tensor &lhs,
                              const Tensor &rhs) {
  const int64_t rank = std::max(lhs.rank(), rhs.rank());
  Shape shape(rank), lhsStrides(rank, 0), rhsStrides(rank, 0);
  const Shape lhsDense = stridesOf(lhs.shape), rhsDense = stridesOf(rhs.shape);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t li = i - (rank - lhs.rank()), ri = i - (rank - rhs.rank());
    const int64_t a = li >= 0 ? lhs.shape[li] : 1;
    const int64_t b = ri >= 0 ? rhs.shape[ri] : 1;
    if (a != b && a != 1 && b != 1)
      return fail("operands " + shapeString(lhs.shape) + " and " +
                  shapeString(rhs.shape) + " are not broadcastable");
    shape[i] = a == 1 ? b : a;
    // A broadcast dimension re-reads the same elements: stride 0.
    if (li >= 0 && a != 1)
      lhsStrides[i] = lhsDense[li];
    if (ri >= 0 && b != 1)
      rhsStrides[i] = rhsDense[ri];
  }
  Tensor out = floatTensor(shape);
  Shape index(rank, 0);
  for (int64_t flat = 0; flat < out.numElements(); ++flat) {
    int64_t l = 0, r = 0;
    for (int64_t i = 0; i < rank; ++i) {
      l += index[i] * lhsStrides[i];
      r += index[i] * rhsStrides[i];
    }
    const float a = lhs.floats[l], b = rhs.floats[r];
    switch (kind) {
    case BinaryKind::Add:
      out.floats[flat] = a + b;
      break;
    case BinaryKind::Sub:
      out.floats[flat] = a - b;
      break;
    case BinaryKind::Mul:
      out.floats[flat] = a * b;
      break;
    case BinaryKind::Div:
      out.floats[flat] = a / b;
      break;
    }
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == shape[i]; --i)
      index[i] = 0;
  }
  return out;
}

Tensor affineScalar(const Tensor &input, double multiplier, double addend) {
  Tensor out = floatTensor(input.shape);
  for (int64_t i = 0; i < input.numElements(); ++i)
    out.floats[i] = static_cast<float>(input.floats[i] * multiplier + addend);
  return out;
}

Tensor clamp(const Tensor &input, double min, double max) {
  Tensor out = floatTensor(input.shape);
  for (int64_t i = 0; i < input.numElements(); ++i)
    out.floats[i] =
        static_cast<float>(std::clamp<double>(input.floats[i], min, max));
  return out;
}

Tensor concat(llvm::ArrayRef<const Tensor *> inputs, int64_t axis,
              const Shape &shape) {
  Tensor out = floatTensor(shape);
  const AxisView outView = viewAround(shape, axis);
  int64_t offset = 0;
  for (const Tensor *input : inputs) {
    const AxisView view = viewAround(input->shape, axis);
    for (int64_t o = 0; o < view.outer; ++o)
      std::copy_n(&input->floats[o * view.size * view.inner],
                  view.size * view.inner,
                  &out.floats[(o * outView.size + offset) * outView.inner]);
    offset += view.size;
  }
  return out;
}

llvm::Expected<Tensor> slice(const Tensor &input, int64_t axis, int64_t start,
                             int64_t end, const Shape &shape) {
  const AxisView view = viewAround(input.shape, axis);
  if (end > view.size)
    return fail("slice end " + llvm::Twine(end) + " exceeds dimension size " +
                llvm::Twine(view.size));
  Tensor out = floatTensor(shape);
  const int64_t chunk = (end - start) * view.inner;
  for (int64_t o = 0; o < view.outer; ++o)
    std::copy_n(&input.floats[(o * view.size + start) * view.inner], chunk,
                &out.floats[o * chunk]);
  return out;
}

llvm::Expected<std::vector<Tensor>> split(const Tensor &input, int64_t axis,
                                          int64_t parts,
                                          const Shape &partShape) {
  const int64_t size = input.shape[axis];
  if (size % parts != 0)
    return fail("split of dimension size " + llvm::Twine(size) + " into " +
                llvm::Twine(parts) + " equal parts");
  std::vector<Tensor> results;
  const int64_t part = partShape[axis];
  for (int64_t p = 0; p < parts; ++p) {
    auto piece = slice(input, axis, p * part, (p + 1) * part, partShape);
    if (!piece)
      return piece.takeError();
    results.push_back(std::move(*piece));
  }
  return results;
}

llvm::Expected<Tensor> reshape(const Tensor &input, const Shape &shape) {
  if (llvm::any_of(
          shape,
          [](int64_t d) { return d < 0 || d > kMaxExtent * kMaxExtent; }) ||
      numElements(shape) != input.numElements())
    return fail("reshape of " + shapeString(input.shape) + " to " +
                shapeString(shape) + " changes the element count");
  Tensor out = input;
  out.shape = shape;
  return out;
}

Tensor transpose(const Tensor &input, llvm::ArrayRef<int64_t> perm,
                 const Shape &shape) {
  const int64_t rank = input.rank();
  Shape strides(rank);
  const Shape inputStrides = stridesOf(input.shape);
  for (int64_t i = 0; i < rank; ++i)
    strides[i] = inputStrides[perm[i]];
  Tensor out = input;
  out.shape = shape;
  Shape index(rank, 0);
  for (int64_t flat = 0; flat < out.numElements(); ++flat) {
    int64_t source = 0;
    for (int64_t i = 0; i < rank; ++i)
      source += index[i] * strides[i];
    if (isFloat(input.elementType))
      out.floats[flat] = input.floats[source];
    else
      out.ints[flat] = input.ints[source];
    for (int64_t i = rank - 1; i >= 0 && ++index[i] == shape[i]; --i)
      index[i] = 0;
  }
  return out;
}

llvm::Expected<Tensor> upsampleNearest(const Tensor &input,
                                       const Shape &shape) {
  const int64_t height = shape[2], width = shape[3];
  if (height <= 0 || width <= 0 || height > kMaxExtent || width > kMaxExtent)
    return fail("upsample_nearest size " + llvm::Twine(height) + "x" +
                llvm::Twine(width) + " must be positive and at most " +
                llvm::Twine(kMaxExtent));
  const int64_t batch = input.shape[0], channels = input.shape[1];
  const int64_t inH = input.shape[2], inW = input.shape[3];
  // PyTorch's "nearest": source = min(floor(dst · (float)in/out), in - 1),
  // with the product taken in float.
  auto source = [](int64_t dst, int64_t in, int64_t out) {
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    return std::min(
        static_cast<int64_t>(std::floor(static_cast<float>(dst) * scale)),
        in - 1);
  };
  Tensor out = floatTensor(shape);
  for (int64_t nc = 0; nc < batch * channels; ++nc)
    for (int64_t y = 0; y < height; ++y)
      for (int64_t x = 0; x < width; ++x)
        out.floats[(nc * height + y) * width + x] =
            input.floats[(nc * inH + source(y, inH, height)) * inW +
                         source(x, inW, width)];
  return out;
}

llvm::Expected<Tensor> avgPool2d(const Tensor &input,
                                 std::array<int64_t, 2> kernel,
                                 std::array<int64_t, 2> stride,
                                 const Shape &shape) {
  const int64_t batch = input.shape[0], channels = input.shape[1];
  const int64_t inH = input.shape[2], inW = input.shape[3];
  if (inH < kernel[0] || inW < kernel[1])
    return fail("avg_pool2d input " + shapeString(input.shape) +
                " is smaller than the kernel");
  const int64_t outH = shape[2], outW = shape[3];
  Tensor out = floatTensor(shape);
  for (int64_t nc = 0; nc < batch * channels; ++nc)
    for (int64_t y = 0; y < outH; ++y)
      for (int64_t x = 0; x < outW; ++x) {
        double sum = 0.0;
        for (int64_t ky = 0; ky < kernel[0]; ++ky)
          for (int64_t kx = 0; kx < kernel[1]; ++kx)
            sum += input.floats[(nc * inH + y * stride[0] + ky) * inW +
                                x * stride[1] + kx];
        out.floats[(nc * outH + y) * outW + x] = static_cast<float>(
            sum / static_cast<double>(kernel[0] * kernel[1]));
      }
  return out;
}

llvm::Expected<Tensor> gather(const Tensor &table, const Tensor &ids,
                              const Shape &shape) {
  const int64_t rows = table.shape[0];
  const int64_t rowSize = table.numElements() / std::max<int64_t>(rows, 1);
  Tensor out = floatTensor(shape);
  for (int64_t i = 0; i < ids.numElements(); ++i) {
    const int64_t id = ids.ints[i];
    if (auto problem = gatherIdProblem(id, rows))
      return fail(*problem);
    std::copy_n(&table.floats[id * rowSize], rowSize, &out.floats[i * rowSize]);
  }
  return out;
}

Tensor timestepEmbedding(const Tensor &timesteps,
                         const TimestepEmbeddingParams &params) {
  // Follows diffusers' get_timestep_embedding step by step in float32, the
  // precision it runs in, so that sin/cos see the same arguments.
  const int64_t count = timesteps.shape[0], half = params.dim / 2;
  Tensor out = floatTensor({count, params.dim});
  const float logPeriod = -std::log(static_cast<float>(params.maxPeriod));
  const float denominator =
      static_cast<float>(static_cast<double>(half) - params.shift);
  for (int64_t n = 0; n < count; ++n)
    for (int64_t i = 0; i < half; ++i) {
      const float frequency =
          std::exp(logPeriod * static_cast<float>(i) / denominator);
      const float angle =
          static_cast<float>(params.scale) * (timesteps.floats[n] * frequency);
      const int64_t sinColumn = params.flipSinToCos ? half + i : i;
      const int64_t cosColumn = params.flipSinToCos ? i : half + i;
      out.floats[n * params.dim + sinColumn] = std::sin(angle);
      out.floats[n * params.dim + cosColumn] = std::cos(angle);
    }
  return out;
}

} // namespace avila::interp
