//===- Sampler.h - Turning noise predictions into an image -------*- C++
//-*-===//
//
// A sampler fixes the timesteps the U-Net runs at and updates the latents
// from each (guided) noise prediction, as the diffusers scheduler of the
// same name does with the SD 1.5 scheduler configuration. Latents are flat
// float vectors; a sampler keeps whatever history its method needs.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_SAMPLING_SAMPLER_H
#define AVILA_RUNTIME_SAMPLING_SAMPLER_H

#include "runtime/sampling/NoiseSchedule.h"
#include "runtime/sampling/SigmaSchedule.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace avila {

class NoiseGenerator;

enum class SamplerKind {
  Ddim,
  Euler,
  EulerAncestral,
  DpmPp2M,
  Pndm,
  Heun,
  UniPc,
  Lcm
};

struct SamplerChoice {
  SamplerKind kind = SamplerKind::Euler;
  /// The σ spacing of the samplers that work in σ (euler, euler_a, heun,
  /// dpmpp_2m); the others take `automatic` only.
  Schedule schedule = Schedule::Automatic;
};

/// Whether a sampler of `kind` steps through a σ schedule one can choose.
bool takesSchedule(SamplerKind kind);
/// `choice` with the `scheduler` option applied, as A1111 applies it: a
/// schedule in the sampler's name ("DPM++ 2M Karras") wins, `automatic`
/// changes nothing. Throws avila::Error for a sampler that takes no
/// schedule.
SamplerChoice withSchedule(SamplerChoice choice, Schedule schedule);

/// Our names (`euler_a`, `dpmpp_2m_karras`, ...) and the A1111 ones
/// (`Euler a`, `DPM++ 2M Karras`, `DDIM`, `PLMS`, ...), case-insensitive.
/// Throws avila::Error listing the known names.
SamplerChoice parseSamplerName(std::string_view name);
/// Our name of a choice (`dpmpp_2m_karras`). Names spell out the Karras
/// schedule only: other schedules are named apart (scheduleInfo).
std::string samplerName(const SamplerChoice &choice);
/// The A1111 name of a choice (`DPM++ 2M Karras`), for infotext; as above.
std::string a1111SamplerName(const SamplerChoice &choice);
/// Every name parseSamplerName accepts, ours first.
std::vector<std::string> knownSamplerNames();

class Sampler {
public:
  virtual ~Sampler() = default;

  /// The U-Net's timestep for each model evaluation, in order. Some
  /// samplers evaluate more than once per step (Heun, PLMS's warm-up).
  const std::vector<double> &timesteps() const { return modelTimesteps; }
  /// txt2img starts from noise × this.
  virtual double initialNoiseScale() const { return 1.0; }
  /// The U-Net sees latents × this at evaluation `index`.
  virtual double modelInputScale(size_t index) const { return 1.0; }
  /// Updates `latents` with the guided noise prediction of evaluation
  /// `index`; `noise` feeds the stochastic samplers.
  virtual void step(size_t index, std::span<const float> eps,
                    std::vector<float> &latents, NoiseGenerator &noise) = 0;

  /// img2img: the evaluation to start from when `strength` of the
  /// schedule is run (diffusers' get_timesteps).
  size_t firstEvaluationFor(double strength) const;
  /// img2img: clean latents noised to the level evaluation `index` expects.
  void addNoise(std::vector<float> &latents, std::span<const float> noise,
                size_t index) const;

protected:
  Sampler(const NoiseSchedule &schedule, int steps, int order = 1)
      : schedule(schedule), steps(steps), order(order) {}
  /// σ of the latents evaluation `index` reads.
  virtual double sigmaOfEvaluation(size_t index) const;
  /// Whether latents are x + σ·n (k-diffusion) rather than scaled to unit
  /// variance.
  virtual bool varianceExploding() const { return false; }

  NoiseSchedule schedule;
  int steps;
  int order;
  std::vector<double> modelTimesteps;
};

/// A sampler for `steps` denoising steps. Throws avila::Error for steps
/// outside what the method supports, or a schedule it does not take.
std::unique_ptr<Sampler> makeSampler(const SamplerChoice &choice, int steps,
                                     const NoiseSchedule &schedule);

} // namespace avila

#endif // AVILA_RUNTIME_SAMPLING_SAMPLER_H
