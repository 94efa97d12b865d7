//===- VariationNoiseTest.cpp - A1111's variation seeds and seed resize ---===//
//
// The slerp against a direct transcription of A1111's formula on [C, H, W]
// tensors (norms over H), the special cases of the strength, and the window
// seed resize pastes.
//
//===----------------------------------------------------------------------===//

#include "runtime/random/VariationNoise.h"

#include <gtest/gtest.h>

#include <cmath>

namespace avila {
namespace {

std::vector<float> noiseOf(uint64_t seed, int64_t count) {
  return makeNoiseGenerator(NoiseSource::TorchCpu, seed)->randn(count);
}

TEST(VariationNoise, SlerpIsA1111sPerColumnSlerp) {
  const NoiseShape shape{2, 5, 3};
  const std::vector<float> low = noiseOf(1, shape.count());
  const std::vector<float> high = noiseOf(2, shape.count());
  const double strength = 0.3;
  const std::vector<float> mixed = slerpNoise(strength, low, high, shape);
  // For each channel c and column w: unit vectors over h, the angle
  // between them, and sin((1-t)Ω)/sin Ω · low + sin(tΩ)/sin Ω · high.
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t w = 0; w < 3; ++w) {
      std::vector<double> a, b;
      for (int64_t h = 0; h < 5; ++h) {
        a.push_back(low[(c * 5 + h) * 3 + w]);
        b.push_back(high[(c * 5 + h) * 3 + w]);
      }
      double na = 0, nb = 0;
      for (int64_t h = 0; h < 5; ++h) {
        na += a[h] * a[h];
        nb += b[h] * b[h];
      }
      double cosine = 0;
      for (int64_t h = 0; h < 5; ++h)
        cosine += a[h] / std::sqrt(na) * b[h] / std::sqrt(nb);
      const double omega = std::acos(cosine);
      for (int64_t h = 0; h < 5; ++h) {
        const double expected = (std::sin((1 - strength) * omega) * a[h] +
                                 std::sin(strength * omega) * b[h]) /
                                std::sin(omega);
        EXPECT_NEAR(mixed[(c * 5 + h) * 3 + w], expected, 1e-6)
            << c << "," << h << "," << w;
      }
    }
}

TEST(VariationNoise, StrengthZeroAndOneGiveEitherNoiseExactly) {
  const NoiseShape shape{4, 8, 8};
  const std::vector<float> low = noiseOf(11, shape.count());
  const std::vector<float> high = noiseOf(12, shape.count());
  EXPECT_EQ(slerpNoise(1, low, high, shape), high);
  EXPECT_EQ(slerpNoise(0, low, high, shape), low);
  // Nearly parallel noises take A1111's linear fallback, with its weights
  // swapped: strength 0.25 keeps 1/4 of the first.
  std::vector<float> close = low;
  close[0] += 1e-3f;
  const std::vector<float> fallback = slerpNoise(0.25, low, close, shape);
  EXPECT_FLOAT_EQ(fallback[0], 0.25f * low[0] + 0.75f * close[0]);
}

TEST(VariationNoise, FirstNoiseFollowsTheStrength) {
  const NoiseShape shape{4, 6, 7};
  auto generator = makeNoiseGenerator(NoiseSource::TorchCuda, 5);
  // Strength 0: the plain seed's noise, bit for bit; the generator goes on
  // where a plain draw leaves it.
  EXPECT_EQ(
      firstNoise(NoiseSource::TorchCuda, 5, *generator, {99, 0, 0, 0}, shape),
      makeNoiseGenerator(NoiseSource::TorchCuda, 5)->randn(shape.count()));
  auto plain = makeNoiseGenerator(NoiseSource::TorchCuda, 5);
  plain->randn(shape.count());
  EXPECT_EQ(generator->randn(10), plain->randn(10));
  // Strength 1: the subseed's.
  auto again = makeNoiseGenerator(NoiseSource::TorchCuda, 5);
  EXPECT_EQ(
      firstNoise(NoiseSource::TorchCuda, 5, *again, {99, 1, 0, 0}, shape),
      makeNoiseGenerator(NoiseSource::TorchCuda, 99)->randn(shape.count()));
}

TEST(VariationNoise, ResizePastesTheCentreWindow) {
  // The seed's noise made at 3×4 into an image of 6×9 latents: rows 1..3
  // and columns 2..5 (offsets ⌊(6-3)/2⌋ = 1, ⌊(9-4)/2⌋ = 2); the rest is
  // the image's own full-size draw after it.
  const NoiseShape image{2, 6, 9}, small{2, 3, 4};
  auto generator = makeNoiseGenerator(NoiseSource::TorchCpu, 8);
  const std::vector<float> result =
      firstNoise(NoiseSource::TorchCpu, 8, *generator, {0, 0, 3, 4}, image);
  const std::vector<float> pasted = noiseOf(8, small.count());
  auto reference = makeNoiseGenerator(NoiseSource::TorchCpu, 8);
  const std::vector<float> full = reference->randn(image.count());
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t y = 0; y < 6; ++y)
      for (int64_t x = 0; x < 9; ++x) {
        const bool inside = y >= 1 && y < 4 && x >= 2 && x < 6;
        const float expected = inside ? pasted[(c * 3 + y - 1) * 4 + x - 2]
                                      : full[(c * 6 + y) * 9 + x];
        EXPECT_EQ(result[(c * 6 + y) * 9 + x], expected) << c << y << x;
      }
  // Larger than the image: its centre is cut out. 5×10 into 2×3: A1111's
  // dy = ⌊(2-5)/2⌋ = -2, dx = ⌊(3-10)/2⌋ = -4 give a window of 5 + 2dy = 1
  // row and 10 + 2dx = 2 columns from row 2, column 4: odd differences
  // leave it short of the target, as in A1111.
  const NoiseShape big{1, 5, 10}, target{1, 2, 3};
  std::vector<float> from(big.count());
  for (size_t i = 0; i < from.size(); ++i)
    from[i] = static_cast<float>(i);
  std::vector<float> into(target.count(), -1);
  pasteCentred(from, big, into, target);
  EXPECT_EQ(into, (std::vector<float>{24, 25, -1, -1, -1, -1}));
}

} // namespace
} // namespace avila
