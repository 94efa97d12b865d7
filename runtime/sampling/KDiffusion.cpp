//===- KDiffusion.cpp - Euler, Euler ancestral and Heun in σ --------------===//
//
// The k-diffusion view: latents are x + σ·n, the U-Net sees them divided by
// sqrt(σ² + 1), and the noise prediction is the ODE's derivative dx/dσ.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Samplers.h"

#include "runtime/random/NoiseGenerator.h"

#include <cmath>
#include <optional>

namespace avila {
namespace {

class SigmaSampler : public Sampler {
protected:
  SigmaSampler(const NoiseSchedule &schedule, int steps, Schedule spacing,
               int order = 1)
      : Sampler(schedule, steps, order) {
    SigmaSteps spaced = sigmaSteps(schedule, steps, spacing, false);
    sigmas = std::move(spaced.sigmas);
    modelTimesteps = std::move(spaced.timesteps);
  }

  // diffusers' init_noise_sigma for "linspace" spacing is σ_max itself, not
  // sqrt(σ_max² + 1): the first input is slightly under unit variance.
  double initialNoiseScale() const override { return sigmas.front(); }
  double modelInputScale(size_t index) const override {
    return 1 / std::sqrt(sigmas[index] * sigmas[index] + 1);
  }
  double sigmaOfEvaluation(size_t index) const override {
    return sigmas.at(index);
  }
  bool varianceExploding() const override { return true; }

  /// x += eps · (σ_to - σ_from): one Euler step of dx/dσ = eps.
  static void eulerStep(std::vector<float> &latents, std::span<const float> eps,
                        double delta) {
    for (size_t i = 0; i < latents.size(); ++i)
      latents[i] = static_cast<float>(latents[i] + eps[i] * delta);
  }

  std::vector<double> sigmas;
};

class Euler final : public SigmaSampler {
public:
  Euler(const NoiseSchedule &schedule, int steps, Schedule spacing,
        bool ancestral)
      : SigmaSampler(schedule, steps, spacing), ancestral(ancestral) {}

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &noise) override {
    const double from = sigmas[index], to = sigmas[index + 1];
    if (!ancestral) {
      eulerStep(latents, eps, to - from);
      return;
    }
    // Step down to σ_down, then add fresh noise of σ_up: σ_down² + σ_up² =
    // σ_to².
    const double up =
        std::sqrt(to * to * (from * from - to * to) / (from * from));
    const double down = std::sqrt(to * to - up * up);
    eulerStep(latents, eps, down - from);
    const std::vector<float> fresh = noise.randn(latents.size());
    for (size_t i = 0; i < latents.size(); ++i)
      latents[i] = static_cast<float>(latents[i] + fresh[i] * up);
  }

private:
  bool ancestral;
};

// Heun's method: every step that does not end at σ = 0 is an Euler
// predictor at σ_i and a corrector evaluation at σ_{i+1}, so σs and
// timesteps repeat.
class Heun final : public SigmaSampler {
public:
  Heun(const NoiseSchedule &schedule, int steps, Schedule spacing)
      : SigmaSampler(schedule, steps, spacing, 2) {
    std::vector<double> repeatedSigmas = {sigmas.front()};
    std::vector<double> repeatedTimesteps = {modelTimesteps.front()};
    for (size_t i = 1; i + 1 < sigmas.size(); ++i) {
      repeatedSigmas.insert(repeatedSigmas.end(), 2, sigmas[i]);
      repeatedTimesteps.insert(repeatedTimesteps.end(), 2, modelTimesteps[i]);
    }
    // A last step that ends above 0 (kl_optimal) has its corrector too.
    if (const double end = sigmas.back(); end != 0) {
      repeatedSigmas.push_back(end);
      repeatedTimesteps.push_back(schedule.timestepOf(end));
    }
    repeatedSigmas.push_back(sigmas.back());
    sigmas = std::move(repeatedSigmas);
    modelTimesteps = std::move(repeatedTimesteps);
  }

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &) override {
    if (!firstDerivative) {
      const double from = sigmas[index], to = sigmas[index + 1];
      firstDerivative.emplace(eps.begin(), eps.end());
      startSample = latents;
      delta = to - from;
      eulerStep(latents, eps, delta);
      // The last step has no corrector: σ reaches 0.
      if (to == 0)
        firstDerivative.reset();
      return;
    }
    std::vector<float> average(eps.size());
    for (size_t i = 0; i < eps.size(); ++i)
      average[i] = ((*firstDerivative)[i] + eps[i]) / 2;
    latents = startSample;
    eulerStep(latents, average, delta);
    firstDerivative.reset();
  }

private:
  std::optional<std::vector<float>> firstDerivative;
  std::vector<float> startSample;
  double delta = 0;
};

} // namespace

std::unique_ptr<Sampler> makeEuler(const NoiseSchedule &schedule, int steps,
                                   Schedule spacing, bool ancestral) {
  return std::make_unique<Euler>(schedule, steps, spacing, ancestral);
}

std::unique_ptr<Sampler> makeHeun(const NoiseSchedule &schedule, int steps,
                                  Schedule spacing) {
  return std::make_unique<Heun>(schedule, steps, spacing);
}

} // namespace avila
