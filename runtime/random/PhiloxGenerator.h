//===- PhiloxGenerator.h - torch's CUDA generator ----------------*- C++
//-*-===//
//
// torch.Generator("cuda"): Philox4x32-10 keyed by the seed, one subsequence
// per GPU thread. torch.randn launches ceil(n / 256) blocks of 256 threads
// (capped at what the GPU keeps resident) and thread t writes elements t,
// t + T, t + 2T, t + 3T (T threads in all) from one curand_normal4 call;
// the generator's offset then advances so the next call draws fresh
// counters. The cap is the H100's (132 SMs × 8 blocks); it only matters
// beyond 270336 values.
//
// curand's Box–Muller runs __sincosf on the GPU, a hardware approximation
// (absolute error up to 2^-21.4) not specified to the bit; here it is the
// host's sinf/cosf, so values differ from an H100's by up to 1.9e-6.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_RANDOM_PHILOXGENERATOR_H
#define AVILA_RUNTIME_RANDOM_PHILOXGENERATOR_H

#include "runtime/random/NoiseGenerator.h"

#include <array>

namespace avila {

/// Philox4x32 with 10 rounds: four 32-bit outputs per 128-bit counter.
std::array<uint32_t, 4> philox4x32x10(std::array<uint32_t, 4> counter,
                                      std::array<uint32_t, 2> key);

class PhiloxGenerator final : public NoiseGenerator {
public:
  explicit PhiloxGenerator(uint64_t seed, int64_t residentBlocks = 132 * 8)
      : seed(seed), residentBlocks(residentBlocks) {}
  std::vector<float> randn(int64_t count) override;

private:
  uint64_t seed;
  int64_t residentBlocks;
  uint64_t offset = 0;
};

} // namespace avila

#endif // AVILA_RUNTIME_RANDOM_PHILOXGENERATOR_H
