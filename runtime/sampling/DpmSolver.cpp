//===- DpmSolver.cpp - DPM-Solver++(2M) -----------------------------------===//
//
// diffusers' DPMSolverMultistepScheduler with algorithm dpmsolver++, solver
// order 2, midpoint corrections: data predictions x0 = (x - σ_t ε) / α_t
// combined over λ = log(α/σ), first order at the first step and (with σ
// ending at 0) the last.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Samplers.h"

#include <cmath>

namespace avila {
namespace {

class DpmPp2M final : public MultistepSampler {
public:
  DpmPp2M(const NoiseSchedule &schedule, int steps, Schedule spacing)
      : MultistepSampler(schedule, steps, spacing) {}

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &) override {
    const VpSigma s0 = vpSigma(sigmas[index]);
    const VpSigma t = vpSigma(sigmas[index + 1]);
    std::vector<float> original = predictOriginal(index, eps, latents);
    // First order into σ = 0 (k-diffusion); kl_optimal's last step ends at
    // σmin and stays second order.
    const bool last = sigmas[index + 1] == 0;
    const double h = t.lambda - s0.lambda;
    const double phi = std::expm1(-h); // e^{-h} - 1, exactly -1 when σ_t = 0
    const double ratio = t.sigma / s0.sigma;
    if (previousOriginal.empty() || last) {
      for (size_t i = 0; i < latents.size(); ++i)
        latents[i] = static_cast<float>(ratio * latents[i] -
                                        t.alpha * phi * original[i]);
    } else {
      const VpSigma s1 = vpSigma(sigmas[index - 1]);
      const double r = (s0.lambda - s1.lambda) / h;
      for (size_t i = 0; i < latents.size(); ++i) {
        const double d1 = (original[i] - previousOriginal[i]) / r;
        latents[i] = static_cast<float>(ratio * latents[i] -
                                        t.alpha * phi * original[i] -
                                        0.5 * t.alpha * phi * d1);
      }
    }
    previousOriginal = std::move(original);
  }

private:
  std::vector<float> previousOriginal;
};

} // namespace

std::unique_ptr<Sampler> makeDpmPp2M(const NoiseSchedule &schedule, int steps,
                                     Schedule spacing) {
  return std::make_unique<DpmPp2M>(schedule, steps, spacing);
}

} // namespace avila
