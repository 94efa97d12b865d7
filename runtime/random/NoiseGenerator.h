//===- NoiseGenerator.h - Seeded Gaussian noise ------------------*- C++
//-*-===//
//
// The samplers draw their noise through this interface so that one seed gives
// the same image as the reference: the torch CPU generator (what diffusers
// uses by default) or torch's CUDA Philox generator (what the A1111 web UI
// uses for its seeds).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_RANDOM_NOISEGENERATOR_H
#define AVILA_RUNTIME_RANDOM_NOISEGENERATOR_H

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace avila {

class NoiseGenerator {
public:
  virtual ~NoiseGenerator() = default;
  /// The next `count` standard normal values, as one
  /// `torch.randn(count, generator=g)` call would give them.
  virtual std::vector<float> randn(int64_t count) = 0;
};

enum class NoiseSource { TorchCpu, TorchCuda };

/// "cpu", or "cuda" (also "gpu"), in any letter case; false for anything
/// else.
bool parseNoiseSource(std::string_view name, NoiseSource &source);

/// A generator freshly seeded like `torch.Generator(device).manual_seed(seed)`.
std::unique_ptr<NoiseGenerator> makeNoiseGenerator(NoiseSource source,
                                                   uint64_t seed);

} // namespace avila

#endif // AVILA_RUNTIME_RANDOM_NOISEGENERATOR_H
