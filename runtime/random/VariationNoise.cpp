//===- VariationNoise.cpp - A1111's variation seeds and seed resize -------===//

#include "runtime/random/VariationNoise.h"

#include <algorithm>
#include <cmath>

namespace avila {
namespace {

// Python's a // b for b > 0.
int64_t floorHalf(int64_t value) {
  return value >= 0 ? value / 2 : -((-value + 1) / 2);
}

} // namespace

std::vector<float> slerpNoise(double strength, std::span<const float> low,
                              std::span<const float> high, NoiseShape shape) {
  const int64_t columns = shape.channels * shape.width;
  auto at = [&](int64_t c, int64_t h, int64_t w) {
    return (c * shape.height + h) * shape.width + w;
  };
  std::vector<double> dots(columns);
  double meanDot = 0;
  for (int64_t c = 0; c < shape.channels; ++c)
    for (int64_t w = 0; w < shape.width; ++w) {
      double lowNorm = 0, highNorm = 0, dot = 0;
      for (int64_t h = 0; h < shape.height; ++h) {
        const double l = low[at(c, h, w)], g = high[at(c, h, w)];
        lowNorm += l * l;
        highNorm += g * g;
        dot += l * g;
      }
      dots[c * shape.width + w] = dot / std::sqrt(lowNorm * highNorm);
      meanDot += dots[c * shape.width + w];
    }
  meanDot /= static_cast<double>(columns);
  std::vector<float> result(low.size());
  if (meanDot > 0.9995) {
    for (size_t i = 0; i < result.size(); ++i)
      result[i] =
          static_cast<float>(low[i] * strength + high[i] * (1 - strength));
    return result;
  }
  for (int64_t c = 0; c < shape.channels; ++c)
    for (int64_t w = 0; w < shape.width; ++w) {
      // Clamped: rounding can put a dot product of unit vectors past ±1.
      const double omega =
          std::acos(std::clamp(dots[c * shape.width + w], -1.0, 1.0));
      const double sine = std::sin(omega);
      const double lowWeight = std::sin((1.0 - strength) * omega) / sine;
      const double highWeight = std::sin(strength * omega) / sine;
      for (int64_t h = 0; h < shape.height; ++h) {
        const int64_t i = at(c, h, w);
        result[i] =
            static_cast<float>(lowWeight * low[i] + highWeight * high[i]);
      }
    }
  return result;
}

void pasteCentred(std::span<const float> from, NoiseShape fromShape,
                  std::span<float> into, NoiseShape intoShape) {
  int64_t dx = floorHalf(intoShape.width - fromShape.width);
  int64_t dy = floorHalf(intoShape.height - fromShape.height);
  const int64_t w = dx >= 0 ? fromShape.width : fromShape.width + 2 * dx;
  const int64_t h = dy >= 0 ? fromShape.height : fromShape.height + 2 * dy;
  const int64_t tx = std::max<int64_t>(dx, 0), ty = std::max<int64_t>(dy, 0);
  dx = std::max<int64_t>(-dx, 0);
  dy = std::max<int64_t>(-dy, 0);
  for (int64_t c = 0; c < intoShape.channels; ++c)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        into[(c * intoShape.height + ty + y) * intoShape.width + tx + x] =
            from[(c * fromShape.height + dy + y) * fromShape.width + dx + x];
}

std::vector<float> firstNoise(NoiseSource source, uint64_t seed,
                              NoiseGenerator &generator,
                              const Variation &variation, NoiseShape shape) {
  const bool resized = variation.fromHeight > 0 && variation.fromWidth > 0 &&
                       (variation.fromHeight != shape.height ||
                        variation.fromWidth != shape.width);
  const NoiseShape noiseShape =
      resized ? NoiseShape{shape.channels, variation.fromHeight,
                           variation.fromWidth}
              : shape;
  // A resized seed's noise comes from a fresh generator; the image's own
  // generator then draws the full size, as A1111's does.
  std::vector<float> noise =
      resized ? makeNoiseGenerator(source, seed)->randn(noiseShape.count())
              : generator.randn(shape.count());
  if (variation.strength != 0) {
    const std::vector<float> subnoise =
        makeNoiseGenerator(source, static_cast<uint64_t>(variation.subseed))
            ->randn(noiseShape.count());
    noise = slerpNoise(variation.strength, noise, subnoise, noiseShape);
  }
  if (!resized)
    return noise;
  std::vector<float> full = generator.randn(shape.count());
  pasteCentred(noise, noiseShape, full, shape);
  return full;
}

} // namespace avila
