//===- NoiseSchedule.h - The training noise schedule of SD 1.x ---*- C++
//-*-===//
//
// Every sampler derives its steps from the schedule the model was trained
// with: 1000 "scaled linear" betas from 0.00085 to 0.012. Values follow
// diffusers, which keeps alphas_cumprod in float32.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_SAMPLING_NOISESCHEDULE_H
#define AVILA_RUNTIME_SAMPLING_NOISESCHEDULE_H

#include <filesystem>
#include <vector>

namespace avila {

class NoiseSchedule {
public:
  /// SD 1.x: scaled_linear betas 0.00085..0.012 over 1000 steps.
  NoiseSchedule(int trainSteps = 1000, double betaStart = 0.00085,
                double betaEnd = 0.012);
  /// From a diffusers `scheduler/scheduler_config.json` (scaled_linear
  /// epsilon-prediction schedules; anything else is refused).
  static NoiseSchedule fromDiffusersConfig(const std::filesystem::path &file);
  /// The schedule of a model: its `scheduler/scheduler_config.json` when
  /// `model` is a diffusers folder that has one, SD 1.x's otherwise.
  static NoiseSchedule forModel(const std::filesystem::path &model);

  int trainSteps() const { return static_cast<int>(alphasCumprod.size()); }
  /// ᾱ_t for an integer training timestep.
  double alphaCumprod(int t) const { return alphasCumprod.at(t); }
  /// σ_t = sqrt((1 - ᾱ_t) / ᾱ_t), linearly interpolated between integer t.
  double sigmaAt(double t) const;
  /// σ_t interpolating log σ between integer t (k-diffusion's t_to_sigma).
  double sigmaAtLogLinear(double t) const;
  /// σ of an integer training timestep.
  double trainingSigma(int t) const { return sigmas.at(t); }
  /// The (fractional) timestep of σ, interpolating log σ (k-diffusion).
  double timestepOf(double sigma) const;
  double sigmaMin() const { return sigmas.front(); }
  double sigmaMax() const { return sigmas.back(); }

private:
  std::vector<double> alphasCumprod;
  std::vector<double> sigmas;
  std::vector<double> logSigmas;
};

/// Karras et al. (2022) spacing: n sigmas from σmax down to σmin, ρ = 7.
std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int n);

/// numpy.linspace(start, stop, count).
std::vector<double> linspace(double start, double stop, int count);

} // namespace avila

#endif // AVILA_RUNTIME_SAMPLING_NOISESCHEDULE_H
