//===- NoiseGenerator.cpp - Choosing a generator --------------------------===//

#include "runtime/random/NoiseGenerator.h"

#include "runtime/random/PhiloxGenerator.h"
#include "runtime/random/TorchCpuGenerator.h"

namespace avila {

bool parseNoiseSource(std::string_view name, NoiseSource &source) {
  if (name == "cpu")
    source = NoiseSource::TorchCpu;
  else if (name == "cuda" || name == "gpu")
    source = NoiseSource::TorchCuda;
  else
    return false;
  return true;
}

std::unique_ptr<NoiseGenerator> makeNoiseGenerator(NoiseSource source,
                                                   uint64_t seed) {
  if (source == NoiseSource::TorchCpu)
    return std::make_unique<TorchCpuGenerator>(seed);
  return std::make_unique<PhiloxGenerator>(seed);
}

} // namespace avila
