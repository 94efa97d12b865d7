//===- SigmaSchedule.h - A1111's named σ schedules ---------------*- C++
//-*-===//
//
// The `scheduler` choice of the A1111 web UI (modules/sd_schedulers.py, 1.9
// and later) for the samplers that work in σ: which σs the steps run at.
// `automatic` keeps each sampler's own spacing (diffusers'); the others
// follow k-diffusion's formulas over the model's training σs.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_SAMPLING_SIGMASCHEDULE_H
#define AVILA_RUNTIME_SAMPLING_SIGMASCHEDULE_H

#include "runtime/sampling/NoiseSchedule.h"

#include <string>
#include <string_view>
#include <vector>

namespace avila {

enum class Schedule {
  Automatic,
  Uniform,
  Karras,
  Exponential,
  PolyExponential,
  SgmUniform,
  KlOptimal,
  Simple,
  Normal,
  Ddim,
  Beta
};

/// A schedule as GET /sdapi/v1/schedulers lists it.
struct ScheduleInfo {
  Schedule schedule;
  const char *name;  // "sgm_uniform"
  const char *label; // "SGM Uniform"
  const char *alias; // "SGMUniform", or nullptr
  double defaultRho; // -1: the schedule has no ρ
  bool needInnerModel;
};

/// Every schedule, in A1111's order.
const std::vector<ScheduleInfo> &knownSchedules();
const ScheduleInfo &scheduleInfo(Schedule schedule);
/// A name, label or alias, in any letter case. Throws avila::Error listing
/// the known names.
Schedule parseScheduleName(std::string_view name);

/// The σ of each of `steps` steps, from σmax down, then the σ the last step
/// ends at: 0, except kl_optimal's σmin. `ddim` spaces the training σs
/// ⌊T/steps⌋ apart and may give a step more. Not for `automatic`.
std::vector<double> scheduleSigmas(Schedule schedule,
                                   const NoiseSchedule &noise, int steps);

/// scipy.stats.beta.ppf(p, a, b): the x at which the regularized incomplete
/// beta function I_x(a, b) reaches p.
double betaQuantile(double p, double a, double b);

} // namespace avila

#endif // AVILA_RUNTIME_SAMPLING_SIGMASCHEDULE_H
