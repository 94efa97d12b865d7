//===- Lcm.cpp - Latent consistency model sampling ------------------------===//
//
// diffusers' LCMScheduler: timesteps from a 50-step "original" schedule,
// each step predicts the clean latents through the consistency boundary
// condition and re-noises them (fresh noise) to the next timestep.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Samplers.h"

#include "runtime/base/Error.h"
#include "runtime/random/NoiseGenerator.h"

#include <cmath>

namespace avila {
namespace {

constexpr int kOriginalSteps = 50;
constexpr double kTimestepScaling = 10.0;
constexpr double kSigmaData = 0.5;

class Lcm final : public Sampler {
public:
  Lcm(const NoiseSchedule &schedule, int steps) : Sampler(schedule, steps) {
    const int spacing = schedule.trainSteps() / kOriginalSteps;
    // The original schedule 999, 979, ..., 19, sampled at evenly spaced
    // (floored) positions.
    for (int i = 0; i < steps; ++i) {
      // numpy.linspace(0, 50, steps, endpoint=False), floored.
      const int position = static_cast<int>(
          std::floor(i * (static_cast<double>(kOriginalSteps) / steps)));
      modelTimesteps.push_back((kOriginalSteps - position) * spacing - 1);
    }
  }

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &noise) override {
    const int t = static_cast<int>(modelTimesteps[index]);
    const bool last = index + 1 == modelTimesteps.size();
    const int next = last ? t : static_cast<int>(modelTimesteps[index + 1]);
    const double alpha = schedule.alphaCumprod(t);
    const double alphaNext = schedule.alphaCumprod(next);
    const double scaled = t * kTimestepScaling;
    const double skip =
        kSigmaData * kSigmaData / (scaled * scaled + kSigmaData * kSigmaData);
    const double out =
        scaled / std::sqrt(scaled * scaled + kSigmaData * kSigmaData);
    std::vector<double> denoised(latents.size());
    for (size_t i = 0; i < latents.size(); ++i) {
      const double original =
          (latents[i] - std::sqrt(1 - alpha) * eps[i]) / std::sqrt(alpha);
      denoised[i] = out * original + skip * latents[i];
    }
    if (last) {
      latents.assign(denoised.begin(), denoised.end());
      return;
    }
    const std::vector<float> fresh = noise.randn(latents.size());
    for (size_t i = 0; i < latents.size(); ++i)
      latents[i] = static_cast<float>(std::sqrt(alphaNext) * denoised[i] +
                                      std::sqrt(1 - alphaNext) * fresh[i]);
  }
};

} // namespace

std::unique_ptr<Sampler> makeLcm(const NoiseSchedule &schedule, int steps) {
  if (steps > kOriginalSteps)
    fail("the lcm sampler takes at most " + std::to_string(kOriginalSteps) +
         " steps");
  return std::make_unique<Lcm>(schedule, steps);
}

} // namespace avila
