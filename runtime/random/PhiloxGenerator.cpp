//===- PhiloxGenerator.cpp - torch's CUDA generator -----------------------===//

#include "runtime/random/PhiloxGenerator.h"

#include <algorithm>
#include <cmath>

namespace avila {

std::array<uint32_t, 4> philox4x32x10(std::array<uint32_t, 4> counter,
                                      std::array<uint32_t, 2> key) {
  for (int round = 0; round < 10; ++round) {
    const uint64_t product0 = uint64_t(0xD2511F53u) * counter[0];
    const uint64_t product1 = uint64_t(0xCD9E8D57u) * counter[2];
    counter = {static_cast<uint32_t>(product1 >> 32) ^ counter[1] ^ key[0],
               static_cast<uint32_t>(product1),
               static_cast<uint32_t>(product0 >> 32) ^ counter[3] ^ key[1],
               static_cast<uint32_t>(product0)};
    key[0] += 0x9E3779B9u;
    key[1] += 0xBB67AE85u;
  }
  return counter;
}

namespace {

// curand's _curand_box_muller: uniforms strictly inside (0, 1] and (0, 2π].
void boxMuller(uint32_t x, uint32_t y, float &first, float &second) {
  constexpr float kTwoPow32Inv = 2.3283064e-10f;
  constexpr float kTwoPow32Inv2Pi = 2.3283064e-10f * 6.2831855f;
  // nvcc contracts these into FMAs.
  const float u =
      std::fma(static_cast<float>(x), kTwoPow32Inv, kTwoPow32Inv / 2.0f);
  const float v =
      std::fma(static_cast<float>(y), kTwoPow32Inv2Pi, kTwoPow32Inv2Pi / 2.0f);
  const float radius = std::sqrt(-2.0f * std::log(u));
  first = std::sin(v) * radius;
  second = std::cos(v) * radius;
}

} // namespace

std::vector<float> PhiloxGenerator::randn(int64_t count) {
  std::vector<float> values(count);
  if (count == 0)
    return values;
  constexpr int64_t kBlock = 256, kPerCall = 4;
  const int64_t blocks =
      std::min((count + kBlock - 1) / kBlock, residentBlocks);
  const int64_t threads = blocks * kBlock;
  const int64_t rounds = (count - 1) / (threads * kPerCall) + 1;
  const std::array<uint32_t, 2> key = {static_cast<uint32_t>(seed),
                                       static_cast<uint32_t>(seed >> 32)};
  for (int64_t thread = 0; thread < threads; ++thread)
    for (int64_t round = 0; round < rounds; ++round) {
      // curand_init(seed, subsequence = thread, offset): the subsequence
      // is the counter's high half, the offset (in 32-bit outputs, a
      // multiple of 4 here) advances its low half.
      const uint64_t low = offset / 4 + static_cast<uint64_t>(round);
      const std::array<uint32_t, 4> bits = philox4x32x10(
          {static_cast<uint32_t>(low), static_cast<uint32_t>(low >> 32),
           static_cast<uint32_t>(thread),
           static_cast<uint32_t>(static_cast<uint64_t>(thread) >> 32)},
          key);
      float normals[4];
      boxMuller(bits[0], bits[1], normals[0], normals[1]);
      boxMuller(bits[2], bits[3], normals[2], normals[3]);
      for (int64_t i = 0; i < kPerCall; ++i) {
        const int64_t index = (round * kPerCall + i) * threads + thread;
        if (index < count)
          values[index] = normals[i];
      }
    }
  offset += static_cast<uint64_t>(rounds * kPerCall);
  return values;
}

} // namespace avila
