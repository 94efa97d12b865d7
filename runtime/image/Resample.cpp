//===- Resample.cpp - PIL's Image.resize for 8-bit RGB --------------------===//
//
// Pillow's src/libImaging/Resample.c, followed step by step where a step
// changes a pixel: the window's ends rounded by truncating x + 0.5, the
// weights evaluated at (i - centre + 0.5) times the reciprocal of the filter
// scale, normalized in double, then rounded half away from zero to 22-bit
// fixed point; sums start at one half and are clipped to 0..255 after each
// pass.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/Resample.h"

#include "runtime/base/Error.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace avila {
namespace {

// 8 bits of pixel and 2 bits of headroom for the filters' negative lobes
// leave 22 bits of weight in an int32 sum.
constexpr int kPrecisionBits = 22;

struct Kernel {
  double (*weight)(double);
  double support; // the weight is zero beyond ±support (at scale 1)
};

double bicubic(double x) {
  constexpr double a = -0.5;
  x = std::fabs(x);
  if (x < 1)
    return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2)
    return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

double sinc(double x) {
  if (x == 0)
    return 1;
  x *= std::numbers::pi;
  return std::sin(x) / x;
}

double lanczos(double x) {
  if (-3 <= x && x < 3)
    return sinc(x) * sinc(x / 3);
  return 0;
}

Kernel kernelOf(ResizeFilter filter) {
  switch (filter) {
  case ResizeFilter::Lanczos:
    return {lanczos, 3};
  case ResizeFilter::Bicubic:
    return {bicubic, 2};
  }
  fail("unknown resize filter");
}

// Output pixel i reads `count[i]` source pixels from `first[i]`, weighted
// by the `count[i]` weights from weights[i * stride].
struct Taps {
  int stride = 0; // the most source pixels any output pixel reads
  std::vector<int> first, count;
  std::vector<int32_t> weights;

  int end() const { return first.back() + count.back(); }
};

// The taps of `outSize` pixels sampling the source span [begin, end) of a
// line of `inSize` pixels.
Taps tapsFor(int inSize, float begin, float end, int outSize,
             const Kernel &kernel) {
  const double scale = static_cast<double>(end - begin) / outSize;
  // Shrinking widens the filter so that every source pixel contributes.
  const double filterScale = std::max(scale, 1.0);
  const double inverseFilterScale = 1.0 / filterScale;
  const double support = kernel.support * filterScale;
  Taps taps;
  taps.stride = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(outSize);
  taps.count.resize(outSize);
  taps.weights.assign(size_t(outSize) * taps.stride, 0);
  std::vector<double> weights(taps.stride);
  for (int out = 0; out < outSize; ++out) {
    const double center = begin + (out + 0.5) * scale;
    const int first = std::max(static_cast<int>(center - support + 0.5), 0);
    const int last = std::min(static_cast<int>(center + support + 0.5), inSize);
    const int count = std::max(last - first, 0);
    double sum = 0;
    for (int i = 0; i < count; ++i) {
      weights[i] =
          kernel.weight((i + first - center + 0.5) * inverseFilterScale);
      sum += weights[i];
    }
    for (int i = 0; i < count; ++i) {
      const double normalized = sum != 0 ? weights[i] / sum : weights[i];
      const double fixed = normalized * (1 << kPrecisionBits);
      taps.weights[size_t(out) * taps.stride + i] =
          static_cast<int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    taps.first[out] = first;
    taps.count[out] = count;
  }
  return taps;
}

// One output value: `count` samples `stride` bytes apart, weighted.
uint8_t filtered(const uint8_t *samples, size_t stride, const int32_t *weights,
                 int count) {
  int64_t sum = int64_t(1) << (kPrecisionBits - 1);
  for (int i = 0; i < count; ++i)
    sum += int64_t(samples[i * stride]) * weights[i];
  return static_cast<uint8_t>(
      std::clamp<int64_t>(sum >> kPrecisionBits, 0, 255));
}

// Rows [rowBegin, rowEnd) of `image`, each resampled to `taps`' width.
Image resampleRows(const Image &image, const Taps &taps, int rowBegin,
                   int rowEnd) {
  const int width = static_cast<int>(taps.first.size());
  Image out{width, rowEnd - rowBegin,
            std::vector<uint8_t>(size_t(width) * (rowEnd - rowBegin) * 3)};
  for (int y = rowBegin; y < rowEnd; ++y) {
    const uint8_t *row = image.rgb.data() + size_t(y) * image.width * 3;
    uint8_t *target = out.rgb.data() + size_t(y - rowBegin) * width * 3;
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        target[x * 3 + c] =
            filtered(row + size_t(taps.first[x]) * 3 + c, 3,
                     &taps.weights[size_t(x) * taps.stride], taps.count[x]);
  }
  return out;
}

// `image`, whose row 0 is source row `rowOffset`, resampled down its
// columns to `taps`' height.
Image resampleColumns(const Image &image, const Taps &taps, int rowOffset) {
  const int height = static_cast<int>(taps.first.size());
  const size_t stride = size_t(image.width) * 3;
  Image out{image.width, height, std::vector<uint8_t>(stride * height)};
  for (int y = 0; y < height; ++y) {
    const uint8_t *top =
        image.rgb.data() + size_t(taps.first[y] - rowOffset) * stride;
    for (size_t i = 0; i < stride; ++i)
      out.rgb[size_t(y) * stride + i] =
          filtered(top + i, stride, &taps.weights[size_t(y) * taps.stride],
                   taps.count[y]);
  }
  return out;
}

} // namespace

bool parseResizeFilter(std::string_view name, ResizeFilter &filter) {
  if (name == "lanczos")
    filter = ResizeFilter::Lanczos;
  else if (name == "bicubic")
    filter = ResizeFilter::Bicubic;
  else
    return false;
  return true;
}

Image resample(const Image &image, int width, int height, ResizeFilter filter,
               const SourceBox &box) {
  if (width < 1 || height < 1)
    fail("cannot resize an image to " + std::to_string(width) + "x" +
         std::to_string(height));
  const Kernel kernel = kernelOf(filter);
  const bool horizontal =
      width != image.width || box.left != 0 || box.right != image.width;
  const bool vertical =
      height != image.height || box.top != 0 || box.bottom != image.height;
  if (!horizontal && !vertical)
    return image;
  const Taps columns =
      tapsFor(image.height, box.top, box.bottom, height, kernel);
  if (!horizontal)
    return resampleColumns(image, columns, 0);
  // Only the rows the vertical pass reads are resampled across.
  const int rowBegin = columns.first.front();
  const int rowEnd = std::max(columns.end(), rowBegin);
  const Image across = resampleRows(
      image, tapsFor(image.width, box.left, box.right, width, kernel), rowBegin,
      rowEnd);
  return vertical ? resampleColumns(across, columns, rowBegin) : across;
}

Image resample(const Image &image, int width, int height, ResizeFilter filter) {
  return resample(image, width, height, filter,
                  {0, 0, static_cast<float>(image.width),
                   static_cast<float>(image.height)});
}

} // namespace avila
