//===- NoiseGenerator.cpp - Choosing a generator --------------------------===//

#include "runtime/random/NoiseGenerator.h"

#include "runtime/random/PhiloxGenerator.h"
#include "runtime/random/TorchCpuGenerator.h"

#include <cctype>
#include <string>

namespace avila {

bool parseNoiseSource(std::string_view name, NoiseSource &source) {
  std::string lower(name);
  for (char &c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "cpu")
    source = NoiseSource::TorchCpu;
  else if (lower == "cuda" || lower == "gpu")
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
