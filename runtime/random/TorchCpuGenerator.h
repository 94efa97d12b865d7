//===- TorchCpuGenerator.h - torch's CPU generator, bit for bit --*- C++
//-*-===//
//
// torch.Generator("cpu"): a 32-bit Mersenne Twister seeded with the low 32
// bits of the seed. randn takes one of two paths by size, and both are
// reproduced exactly:
//  - fewer than 16 values: double-precision Box–Muller per pair of 53-bit
//    uniforms, the second value of a pair cached in the generator;
//  - 16 or more: 24-bit float uniforms for every element, then the AVX2
//    Box–Muller over blocks of 16 (Cephes-style float log and sincos), the
//    last block recomputed from fresh uniforms when the size is not a
//    multiple of 16.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_RANDOM_TORCHCPUGENERATOR_H
#define AVILA_RUNTIME_RANDOM_TORCHCPUGENERATOR_H

#include "runtime/random/NoiseGenerator.h"

#include <array>
#include <optional>

namespace avila {

/// The standard mt19937 with torch's seeding (low 32 bits of the seed).
class Mt19937 {
public:
  explicit Mt19937(uint64_t seed);
  uint32_t next();

private:
  void twist();
  std::array<uint32_t, 624> state;
  int index = 624;
};

class TorchCpuGenerator final : public NoiseGenerator {
public:
  explicit TorchCpuGenerator(uint64_t seed) : engine(seed) {}
  std::vector<float> randn(int64_t count) override;

private:
  float uniformFloat();
  double uniformDouble();
  double normalDouble();
  void fillNormal16(float *values);

  Mt19937 engine;
  std::optional<double> cachedNormal;
};

} // namespace avila

#endif // AVILA_RUNTIME_RANDOM_TORCHCPUGENERATOR_H
