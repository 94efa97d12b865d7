//===- RandomWeights.cpp - Weights of the right shapes, no checkpoint -----===//

#include "bench/RandomWeights.h"

#include <cmath>
#include <random>

namespace avila {

void bindRandomWeights(Executable &executable, uint32_t seed) {
  std::mt19937 rng(seed);
  executable.bindWeights([&](const artifact::Weight &weight,
                             std::span<float> values) {
    const bool matrix = weight.shape()->size() > 1;
    const size_t fanIn = matrix ? values.size() / weight.shape()->Get(0) : 1;
    const float bound = std::sqrt(3.0f / float(fanIn));
    uint32_t state = rng() | 1;
    for (float &value : values) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      value = matrix ? bound * (float(state) * 0x1p-31f - 1.0f) : 1.0f;
    }
  });
}

} // namespace avila
