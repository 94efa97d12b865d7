//===- Samplers.h - The sampler implementations ------------------*- C++
//-*-===//
//
// Internal to runtime/sampling: one constructor per method, each defined in
// the file named for it; makeSampler picks among them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_SAMPLING_SAMPLERS_H
#define AVILA_RUNTIME_SAMPLING_SAMPLERS_H

#include "runtime/sampling/Sampler.h"

namespace avila {

/// Timesteps t_i = i·⌊T/steps⌋ + 1, descending ("leading" spacing).
std::vector<double> leadingTimesteps(int steps, int trainSteps);

/// σ for each step plus the σ the last step ends at, and the timestep of
/// each step. `automatic`: evenly spaced timesteps from T-1 to 0 (fractional
/// unless `integerSteps`, which spaces steps+1 points and drops the last,
/// rounding) and a final 0; any other schedule: its σs (scheduleSigmas), at
/// their (rounded, with `integerSteps`) timesteps.
struct SigmaSteps {
  std::vector<double> sigmas;
  std::vector<double> timesteps;
};
SigmaSteps sigmaSteps(const NoiseSchedule &schedule, int steps,
                      Schedule spacing, bool integerSteps);

/// Variance-preserving form of σ: α_t = 1/sqrt(σ²+1), σ_t = σ·α_t, and the
/// log signal-to-noise ratio λ = log α_t - log σ_t (infinite at σ = 0).
struct VpSigma {
  double alpha, sigma, lambda;
};
VpSigma vpSigma(double sigma);

/// The multistep solvers (DPM-Solver++, UniPC): σ per step at integer
/// timesteps, unscaled U-Net inputs, updates in terms of the data
/// prediction x0.
class MultistepSampler : public Sampler {
protected:
  MultistepSampler(const NoiseSchedule &schedule, int steps, Schedule spacing);
  double sigmaOfEvaluation(size_t index) const override {
    return sigmas.at(index);
  }
  /// x0 = (x - σ_t ε) / α_t at evaluation `index`.
  std::vector<float> predictOriginal(size_t index, std::span<const float> eps,
                                     const std::vector<float> &latents) const;

  std::vector<double> sigmas;
};

std::unique_ptr<Sampler> makeDdim(const NoiseSchedule &schedule, int steps);
std::unique_ptr<Sampler> makePndm(const NoiseSchedule &schedule, int steps);
std::unique_ptr<Sampler> makeLcm(const NoiseSchedule &schedule, int steps);
std::unique_ptr<Sampler> makeEuler(const NoiseSchedule &schedule, int steps,
                                   Schedule spacing, bool ancestral);
std::unique_ptr<Sampler> makeHeun(const NoiseSchedule &schedule, int steps,
                                  Schedule spacing);
std::unique_ptr<Sampler> makeDpmPp2M(const NoiseSchedule &schedule, int steps,
                                     Schedule spacing);
std::unique_ptr<Sampler> makeUniPc(const NoiseSchedule &schedule, int steps);

} // namespace avila

#endif // AVILA_RUNTIME_SAMPLING_SAMPLERS_H
