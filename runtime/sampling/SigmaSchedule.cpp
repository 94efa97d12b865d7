//===- SigmaSchedule.cpp - A1111's named σ schedules ----------------------===//

#include "runtime/sampling/SigmaSchedule.h"

#include "runtime/base/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace avila {
namespace {

// A1111's defaults for the beta schedule (opts.beta_dist_alpha/beta).
constexpr double kBetaAlpha = 0.6;
constexpr double kBetaBeta = 0.6;

std::string folded(std::string_view name) {
  std::string out;
  for (char c : name)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '_')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The continued fraction of the incomplete beta function (modified Lentz).
double betaFraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  auto guarded = [](double value) {
    return std::fabs(value) < kTiny ? kTiny : value;
  };
  double c = 1, d = 1 / guarded(1 - (a + b) * x / (a + 1));
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double m2 = 2.0 * m;
    double term = m * (b - m) * x / ((a - 1 + m2) * (a + m2));
    d = 1 / guarded(1 + term * d);
    c = guarded(1 + term / c);
    h *= d * c;
    term = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2));
    d = 1 / guarded(1 + term * d);
    c = guarded(1 + term / c);
    const double change = d * c;
    h *= change;
    if (std::fabs(change - 1) < 1e-16)
      break;
  }
  return h;
}

// I_x(a, b).
double regularizedBeta(double x, double a, double b) {
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
               a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2))
    return front * betaFraction(a, b, x) / a;
  return 1 - front * betaFraction(b, a, 1 - x) / b;
}

// k-diffusion's sigma_to_t and t_to_sigma between the model's σmax and σmin.
std::vector<double> sigmasAtTimesteps(const NoiseSchedule &noise,
                                      const std::vector<double> &timesteps) {
  std::vector<double> sigmas;
  for (double t : timesteps)
    sigmas.push_back(noise.sigmaAtLogLinear(t));
  return sigmas;
}

std::vector<double> withFinalZero(std::vector<double> sigmas) {
  sigmas.push_back(0.0);
  return sigmas;
}

} // namespace

const std::vector<ScheduleInfo> &knownSchedules() {
  static const std::vector<ScheduleInfo> schedules = {
      {Schedule::Automatic, "automatic", "Automatic", nullptr, -1, false},
      {Schedule::Uniform, "uniform", "Uniform", nullptr, -1, true},
      {Schedule::Karras, "karras", "Karras", nullptr, 7.0, false},
      {Schedule::Exponential, "exponential", "Exponential", nullptr, -1, false},
      {Schedule::PolyExponential, "polyexponential", "Polyexponential", nullptr,
       1.0, false},
      {Schedule::SgmUniform, "sgm_uniform", "SGM Uniform", "SGMUniform", -1,
       true},
      {Schedule::KlOptimal, "kl_optimal", "KL Optimal", nullptr, -1, false},
      {Schedule::Simple, "simple", "Simple", nullptr, -1, true},
      {Schedule::Normal, "normal", "Normal", nullptr, -1, true},
      {Schedule::Ddim, "ddim", "DDIM", nullptr, -1, true},
      {Schedule::Beta, "beta", "Beta", nullptr, -1, true},
  };
  return schedules;
}

const ScheduleInfo &scheduleInfo(Schedule schedule) {
  for (const ScheduleInfo &info : knownSchedules())
    if (info.schedule == schedule)
      return info;
  fail("unknown schedule");
}

Schedule parseScheduleName(std::string_view name) {
  const std::string wanted = folded(name);
  for (const ScheduleInfo &info : knownSchedules())
    if (wanted == folded(info.name) || wanted == folded(info.label) ||
        (info.alias && wanted == folded(info.alias)))
      return info.schedule;
  std::string known;
  for (const ScheduleInfo &info : knownSchedules())
    known += std::string(known.empty() ? "" : ", ") + info.name;
  fail("unknown scheduler '" + std::string(name) + "' (known: " + known + ")");
}

double betaQuantile(double p, double a, double b) {
  if (!(p > 0))
    return 0;
  if (!(p < 1))
    return 1;
  // I_x is increasing in x: bisection down to adjacent doubles.
  double low = 0, high = 1;
  for (int i = 0; i < 200 && std::nextafter(low, 1.0) < high; ++i) {
    const double middle = (low + high) / 2;
    (regularizedBeta(middle, a, b) < p ? low : high) = middle;
  }
  return (low + high) / 2;
}

std::vector<double> scheduleSigmas(Schedule schedule,
                                   const NoiseSchedule &noise, int steps) {
  if (steps < 1)
    fail("a schedule needs at least one step");
  const double sigmaMin = noise.sigmaMin(), sigmaMax = noise.sigmaMax();
  const int trainSteps = noise.trainSteps();
  const double tMax = noise.timestepOf(sigmaMax);
  const double tMin = noise.timestepOf(sigmaMin);
  switch (schedule) {
  case Schedule::Automatic:
    break;
  case Schedule::Uniform:
    // CompVisDenoiser.get_sigmas: every training timestep's span.
    return withFinalZero(
        sigmasAtTimesteps(noise, linspace(trainSteps - 1, 0, steps)));
  case Schedule::Normal:
    return withFinalZero(sigmasAtTimesteps(noise, linspace(tMax, tMin, steps)));
  case Schedule::SgmUniform: {
    std::vector<double> timesteps = linspace(tMax, tMin, steps + 1);
    timesteps.pop_back();
    return withFinalZero(sigmasAtTimesteps(noise, timesteps));
  }
  case Schedule::Karras:
    return withFinalZero(karrasSigmas(sigmaMin, sigmaMax, steps));
  case Schedule::Exponential:
  case Schedule::PolyExponential: {
    // Polyexponential with A1111's default ρ = 1 is the exponential.
    std::vector<double> sigmas;
    for (double ramp : linspace(1, 0, steps))
      sigmas.push_back(
          std::exp(ramp * (std::log(sigmaMax) - std::log(sigmaMin)) +
                   std::log(sigmaMin)));
    return withFinalZero(sigmas);
  }
  case Schedule::KlOptimal: {
    // n + 1 σs ending at σmin, not 0: A1111 steps down to σmin only.
    const double angleMin = std::atan(sigmaMin), angleMax = std::atan(sigmaMax);
    std::vector<double> sigmas;
    for (int i = 0; i <= steps; ++i) {
      const double fraction = static_cast<double>(i) / steps;
      sigmas.push_back(
          std::tan(fraction * angleMin + (1.0 - fraction) * angleMax));
    }
    return sigmas;
  }
  case Schedule::Simple: {
    const double stride = static_cast<double>(trainSteps) / steps;
    std::vector<double> sigmas;
    for (int x = 0; x < steps; ++x)
      sigmas.push_back(
          noise.trainingSigma(trainSteps - 1 - static_cast<int>(x * stride)));
    return withFinalZero(sigmas);
  }
  case Schedule::Ddim: {
    const int stride = std::max(trainSteps / steps, 1);
    std::vector<double> sigmas;
    for (int t = 1; t < trainSteps; t += stride)
      sigmas.insert(sigmas.begin(), noise.trainingSigma(t));
    return withFinalZero(sigmas);
  }
  case Schedule::Beta: {
    std::vector<double> sigmas;
    for (double fraction : linspace(0, 1, steps))
      sigmas.push_back(sigmaMin +
                       betaQuantile(1 - fraction, kBetaAlpha, kBetaBeta) *
                           (sigmaMax - sigmaMin));
    return withFinalZero(sigmas);
  }
  }
  fail("the automatic schedule is each sampler's own spacing");
}

} // namespace avila
