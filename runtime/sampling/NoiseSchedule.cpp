//===- NoiseSchedule.cpp - The training noise schedule of SD 1.x ----------===//

#include "runtime/sampling/NoiseSchedule.h"

#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace avila {

std::vector<double> linspace(double start, double stop, int count) {
  std::vector<double> values(count);
  const double step = count > 1 ? (stop - start) / (count - 1) : 0.0;
  for (int i = 0; i < count; ++i)
    values[i] = start + i * step;
  if (count > 1)
    values.back() = stop;
  return values;
}

NoiseSchedule::NoiseSchedule(int trainSteps, double betaStart, double betaEnd) {
  if (trainSteps < 2 || trainSteps > 100000 || !(betaStart > 0) ||
      !(betaEnd > betaStart) || !(betaEnd < 1))
    fail("the noise schedule needs 2..100000 steps and 0 < beta_start < "
         "beta_end < 1");
  float cumulative = 1.0f;
  for (double root :
       linspace(std::sqrt(betaStart), std::sqrt(betaEnd), trainSteps)) {
    const float beta = static_cast<float>(root * root);
    cumulative *= 1.0f - beta;
    alphasCumprod.push_back(cumulative);
    const float sigma = std::sqrt((1.0f - cumulative) / cumulative);
    sigmas.push_back(sigma);
    logSigmas.push_back(std::log(static_cast<double>(sigma)));
  }
}

NoiseSchedule
NoiseSchedule::fromDiffusersConfig(const std::filesystem::path &file) {
  // A scheduler config is a few hundred bytes.
  constexpr size_t kMaxConfigBytes = 1 << 20;
  const nlohmann::json config =
      nlohmann::json::parse(readFile(file, kMaxConfigBytes), nullptr, false);
  if (!config.is_object())
    fail(file.string() + " is not a JSON object");
  std::string kind, prediction;
  int steps;
  double start, end;
  bool trainedBetas;
  try {
    kind = config.value("beta_schedule", "scaled_linear");
    prediction = config.value("prediction_type", "epsilon");
    steps = config.value("num_train_timesteps", 1000);
    start = config.value("beta_start", 0.00085);
    end = config.value("beta_end", 0.012);
    trainedBetas = config.contains("trained_betas") &&
                   !config.at("trained_betas").is_null();
  } catch (const nlohmann::json::exception &error) {
    fail(file.string() + ": " + error.what());
  }
  if (kind != "scaled_linear")
    fail(file.string() + ": unsupported beta_schedule '" + kind + "'");
  if (trainedBetas)
    fail(file.string() + ": trained_betas are not supported");
  if (prediction != "epsilon")
    fail(file.string() + ": prediction_type '" + prediction +
         "' is not supported (SD 1.x models predict epsilon)");
  return NoiseSchedule(steps, start, end);
}

NoiseSchedule NoiseSchedule::forModel(const std::filesystem::path &model) {
  const std::filesystem::path config =
      model / "scheduler" / "scheduler_config.json";
  if (std::filesystem::is_directory(model) && std::filesystem::exists(config))
    return fromDiffusersConfig(config);
  return NoiseSchedule();
}

double NoiseSchedule::sigmaAt(double t) const {
  // numpy.interp(t, arange(n), sigmas): clamped at the ends.
  if (t <= 0)
    return sigmas.front();
  if (t >= sigmas.size() - 1)
    return sigmas.back();
  const size_t low = static_cast<size_t>(std::floor(t));
  const double fraction = t - low;
  return sigmas[low] + fraction * (sigmas[low + 1] - sigmas[low]);
}

double NoiseSchedule::sigmaAtLogLinear(double t) const {
  const double clamped = std::clamp(t, 0.0, double(logSigmas.size() - 1));
  const size_t low = static_cast<size_t>(std::floor(clamped));
  const size_t high = static_cast<size_t>(std::ceil(clamped));
  const double fraction = clamped - low;
  return std::exp((1 - fraction) * logSigmas[low] + fraction * logSigmas[high]);
}

double NoiseSchedule::timestepOf(double sigma) const {
  const double logSigma = std::log(std::max(sigma, 1e-10));
  // The last index whose log σ is at most logSigma, kept below the end.
  size_t low = 0;
  for (size_t i = 0; i < logSigmas.size(); ++i)
    if (logSigma - logSigmas[i] >= 0)
      low = i;
  low = std::min(low, logSigmas.size() - 2);
  const double weight = std::clamp((logSigmas[low] - logSigma) /
                                       (logSigmas[low] - logSigmas[low + 1]),
                                   0.0, 1.0);
  return (1 - weight) * low + weight * (low + 1);
}

std::vector<double> karrasSigmas(double sigmaMin, double sigmaMax, int n) {
  constexpr double kRho = 7.0;
  const double minInv = std::pow(sigmaMin, 1 / kRho);
  const double maxInv = std::pow(sigmaMax, 1 / kRho);
  std::vector<double> sigmas;
  for (double ramp : linspace(0, 1, n))
    sigmas.push_back(std::pow(maxInv + ramp * (minInv - maxInv), kRho));
  return sigmas;
}

} // namespace avila
