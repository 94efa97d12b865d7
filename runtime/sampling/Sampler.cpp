//===- Sampler.cpp - Names, the factory, img2img noising ------------------===//

#include "runtime/sampling/Sampler.h"

#include "runtime/base/Error.h"
#include "runtime/sampling/Samplers.h"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace avila {
namespace {

struct NameEntry {
  const char *ours;
  const char *a1111;
  SamplerChoice choice;
};

const NameEntry kNames[] = {
    {"ddim", "DDIM", {SamplerKind::Ddim}},
    {"euler", "Euler", {SamplerKind::Euler}},
    {"euler_karras", "Euler Karras", {SamplerKind::Euler, Schedule::Karras}},
    {"euler_a", "Euler a", {SamplerKind::EulerAncestral}},
    {"euler_a_karras",
     "Euler a Karras",
     {SamplerKind::EulerAncestral, Schedule::Karras}},
    {"dpmpp_2m", "DPM++ 2M", {SamplerKind::DpmPp2M}},
    {"dpmpp_2m_karras",
     "DPM++ 2M Karras",
     {SamplerKind::DpmPp2M, Schedule::Karras}},
    {"pndm", "PLMS", {SamplerKind::Pndm}},
    {"heun", "Heun", {SamplerKind::Heun}},
    {"heun_karras", "Heun Karras", {SamplerKind::Heun, Schedule::Karras}},
    {"unipc", "UniPC", {SamplerKind::UniPc}},
    {"lcm", "LCM", {SamplerKind::Lcm}},
};

std::string folded(std::string_view name) {
  std::string out;
  for (char c : name)
    if (!std::isspace(static_cast<unsigned char>(c)) && c != '_' && c != '-')
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const NameEntry &entryOf(const SamplerChoice &choice) {
  const NameEntry *plain = nullptr;
  for (const NameEntry &entry : kNames) {
    if (entry.choice.kind != choice.kind)
      continue;
    if (entry.choice.schedule == choice.schedule)
      return entry;
    if (entry.choice.schedule == Schedule::Automatic)
      plain = &entry;
  }
  if (!plain || !takesSchedule(choice.kind))
    fail(std::string("the ") + (plain ? plain->ours : "chosen") +
         " sampler has no schedule to choose: the scheduler applies to "
         "euler, euler_a, heun and dpmpp_2m");
  return *plain;
}

} // namespace

bool takesSchedule(SamplerKind kind) {
  return kind == SamplerKind::Euler || kind == SamplerKind::EulerAncestral ||
         kind == SamplerKind::Heun || kind == SamplerKind::DpmPp2M;
}

SamplerChoice withSchedule(SamplerChoice choice, Schedule schedule) {
  if (schedule == Schedule::Automatic || choice.schedule != Schedule::Automatic)
    return choice;
  choice.schedule = schedule;
  entryOf(choice);
  return choice;
}

SamplerChoice parseSamplerName(std::string_view name) {
  // A1111 also accepts its k-diffusion aliases: k_euler_a, k_dpmpp_2m, ...
  // and euler_ancestral.
  std::string wanted = folded(name);
  if (wanted.starts_with('k'))
    wanted.erase(0, 1);
  if (wanted == "eulerancestral")
    wanted = "eulera";
  for (const NameEntry &entry : kNames)
    if (folded(entry.ours) == wanted || folded(entry.a1111) == wanted)
      return entry.choice;
  std::string known;
  for (const NameEntry &entry : kNames)
    known += std::string(known.empty() ? "" : ", ") + entry.ours;
  fail("unknown sampler '" + std::string(name) + "' (known: " + known +
       ", or their A1111 names such as 'Euler a', 'DPM++ 2M Karras')");
}

std::string samplerName(const SamplerChoice &choice) {
  return entryOf(choice).ours;
}

std::string a1111SamplerName(const SamplerChoice &choice) {
  return entryOf(choice).a1111;
}

std::vector<std::string> knownSamplerNames() {
  std::vector<std::string> names;
  for (const NameEntry &entry : kNames)
    names.push_back(entry.ours);
  for (const NameEntry &entry : kNames)
    names.push_back(entry.a1111);
  return names;
}

size_t Sampler::firstEvaluationFor(double strength) const {
  const int kept = std::min(static_cast<int>(steps * strength), steps);
  const size_t first = static_cast<size_t>(std::max(steps - kept, 0)) * order;
  return std::min(first, modelTimesteps.size());
}

double Sampler::sigmaOfEvaluation(size_t index) const {
  return schedule.sigmaAt(modelTimesteps.at(index));
}

void Sampler::addNoise(std::vector<float> &latents,
                       std::span<const float> noise, size_t index) const {
  const double sigma = sigmaOfEvaluation(index);
  const double scale = varianceExploding() ? 1.0 : 1.0 / std::hypot(sigma, 1.0);
  for (size_t i = 0; i < latents.size(); ++i)
    latents[i] = static_cast<float>((latents[i] + sigma * noise[i]) * scale);
}

std::vector<double> leadingTimesteps(int steps, int trainSteps) {
  const int ratio = trainSteps / steps;
  std::vector<double> timesteps;
  for (int i = steps - 1; i >= 0; --i)
    timesteps.push_back(i * ratio + 1);
  return timesteps;
}

SigmaSteps sigmaSteps(const NoiseSchedule &schedule, int steps,
                      Schedule spacing, bool integerSteps) {
  SigmaSteps result;
  const double last = schedule.trainSteps() - 1;
  if (spacing != Schedule::Automatic) {
    result.sigmas = scheduleSigmas(spacing, schedule, steps);
    for (size_t i = 0; i + 1 < result.sigmas.size(); ++i) {
      const double t = schedule.timestepOf(result.sigmas[i]);
      result.timesteps.push_back(integerSteps ? std::nearbyint(t) : t);
    }
    return result;
  }
  if (integerSteps) {
    const std::vector<double> points = linspace(0, last, steps + 1);
    for (int i = steps; i >= 1; --i)
      result.timesteps.push_back(std::nearbyint(points[i]));
  } else {
    // diffusers computes these in float32.
    for (double t : linspace(0, last, steps))
      result.timesteps.insert(result.timesteps.begin(), static_cast<float>(t));
  }
  for (double t : result.timesteps)
    result.sigmas.push_back(schedule.sigmaAt(t));
  result.sigmas.push_back(0.0);
  return result;
}

MultistepSampler::MultistepSampler(const NoiseSchedule &schedule, int steps,
                                   Schedule spacing)
    : Sampler(schedule, steps) {
  SigmaSteps spaced = sigmaSteps(schedule, steps, spacing, true);
  sigmas = std::move(spaced.sigmas);
  modelTimesteps = std::move(spaced.timesteps);
}

std::vector<float>
MultistepSampler::predictOriginal(size_t index, std::span<const float> eps,
                                  const std::vector<float> &latents) const {
  const VpSigma s = vpSigma(sigmas[index]);
  std::vector<float> original(latents.size());
  for (size_t i = 0; i < latents.size(); ++i)
    original[i] = static_cast<float>((latents[i] - s.sigma * eps[i]) / s.alpha);
  return original;
}

VpSigma vpSigma(double sigma) {
  const double alpha = 1.0 / std::sqrt(sigma * sigma + 1.0);
  const double sigmaT = sigma * alpha;
  return {alpha, sigmaT, std::log(alpha) - std::log(sigmaT)};
}

std::unique_ptr<Sampler> makeSampler(const SamplerChoice &choice, int steps,
                                     const NoiseSchedule &schedule) {
  if (steps < 1 || steps > schedule.trainSteps())
    fail("steps must be between 1 and " +
         std::to_string(schedule.trainSteps()) + ", not " +
         std::to_string(steps));
  entryOf(choice);
  switch (choice.kind) {
  case SamplerKind::Ddim:
    return makeDdim(schedule, steps);
  case SamplerKind::Pndm:
    return makePndm(schedule, steps);
  case SamplerKind::Lcm:
    return makeLcm(schedule, steps);
  case SamplerKind::Euler:
  case SamplerKind::EulerAncestral:
    return makeEuler(schedule, steps, choice.schedule,
                     choice.kind == SamplerKind::EulerAncestral);
  case SamplerKind::Heun:
    return makeHeun(schedule, steps, choice.schedule);
  case SamplerKind::DpmPp2M:
    return makeDpmPp2M(schedule, steps, choice.schedule);
  case SamplerKind::UniPc:
    return makeUniPc(schedule, steps);
  }
  fail("unknown sampler");
}

} // namespace avila
