//===- Ddim.cpp - DDIM (deterministic, η = 0) -----------------------------===//

#include "runtime/sampling/Samplers.h"

#include <cmath>

namespace avila {
namespace {

class Ddim final : public Sampler {
public:
  Ddim(const NoiseSchedule &schedule, int steps) : Sampler(schedule, steps) {
    modelTimesteps = leadingTimesteps(steps, schedule.trainSteps());
  }

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &) override {
    const int t = static_cast<int>(modelTimesteps[index]);
    const int previous = t - schedule.trainSteps() / steps;
    const double alpha = schedule.alphaCumprod(t);
    // set_alpha_to_one = false: the step past 0 lands on ᾱ_0.
    const double alphaPrevious = schedule.alphaCumprod(std::max(previous, 0));
    const double sqrtAlpha = std::sqrt(alpha);
    const double sqrtBeta = std::sqrt(1 - alpha);
    const double sqrtAlphaPrevious = std::sqrt(alphaPrevious);
    const double direction = std::sqrt(1 - alphaPrevious);
    for (size_t i = 0; i < latents.size(); ++i) {
      const double original = (latents[i] - sqrtBeta * eps[i]) / sqrtAlpha;
      latents[i] =
          static_cast<float>(sqrtAlphaPrevious * original + direction * eps[i]);
    }
  }
};

} // namespace

std::unique_ptr<Sampler> makeDdim(const NoiseSchedule &schedule, int steps) {
  return std::make_unique<Ddim>(schedule, steps);
}

} // namespace avila
