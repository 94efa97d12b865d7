//===- VariationNoise.h - A1111's variation seeds and seed resize -*- C++
//-*-===//
//
// The first noise of an image as the A1111 web UI makes it (modules/rng.py,
// ImageRNG.first): the seed's noise, optionally slerped toward a variation
// seed's noise ("subseed") and optionally made at another image size and
// pasted centred ("seed resize from"), so that a seed found at one size
// gives a similar image at another.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_RANDOM_VARIATIONNOISE_H
#define AVILA_RUNTIME_RANDOM_VARIATIONNOISE_H

#include "runtime/random/NoiseGenerator.h"

#include <span>

namespace avila {

/// A latent noise tensor's [channels, height, width].
struct NoiseShape {
  int64_t channels, height, width;
  int64_t count() const { return channels * height * width; }
};

struct Variation {
  int64_t subseed = 0;
  /// 0: the seed's noise alone; 1: the subseed's.
  double strength = 0;
  /// The latent size the seed's noise is made at; 0: the image's own.
  int64_t fromHeight = 0, fromWidth = 0;
};

/// A1111's slerp(val, low, high) of two [C, H, W] tensors: norms and dot
/// products over H for each (c, w) (its torch.norm(dim=1)), and, when the
/// mean dot product exceeds 0.9995, its linear fallback low·val +
/// high·(1 − val), weights swapped as A1111 has them.
std::vector<float> slerpNoise(double strength, std::span<const float> low,
                              std::span<const float> high, NoiseShape shape);

/// `into` with the centre of `from` pasted over its centre: A1111's window
/// arithmetic (floor division), for a `from` smaller or larger than `into`.
void pasteCentred(std::span<const float> from, NoiseShape fromShape,
                  std::span<float> into, NoiseShape intoShape);

/// The first noise of an image of `shape` with seed `seed`: drawn from
/// `generator` (seeded with `seed`, which later draws continue) as A1111
/// draws it.
std::vector<float> firstNoise(NoiseSource source, uint64_t seed,
                              NoiseGenerator &generator,
                              const Variation &variation, NoiseShape shape);

} // namespace avila

#endif // AVILA_RUNTIME_RANDOM_VARIATIONNOISE_H
