//===- SigmaScheduleTest.cpp - A1111's named σ schedules ------------------===//
//
// The σs of each schedule against values computed here from the formulas in
// A1111's modules/sd_schedulers.py and k-diffusion's sampling.py, over SD
// 1.5's training σs computed here in double from its betas (0.00085..0.012,
// scaled linear): step counts are chosen so that the timesteps fall on
// integers, where no interpolation rule is involved.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/SigmaSchedule.h"

#include "runtime/base/Error.h"
#include "runtime/sampling/Sampler.h"

#include <gtest/gtest.h>

#include <cmath>

namespace avila {
namespace {

// σ_t of SD 1.5, t = 0..999, from ᾱ_t = ∏(1 - β_s).
std::vector<double> trainingSigmas() {
  std::vector<double> sigmas;
  double cumulative = 1;
  const double low = std::sqrt(0.00085), high = std::sqrt(0.012);
  for (int t = 0; t < 1000; ++t) {
    const double root = low + (high - low) * t / 999;
    cumulative *= 1 - root * root;
    sigmas.push_back(std::sqrt((1 - cumulative) / cumulative));
  }
  return sigmas;
}

// Relative: the runtime keeps ᾱ in float32 as diffusers does.
void expectSigmas(Schedule schedule, int steps,
                  const std::vector<double> &expected) {
  const std::vector<double> actual =
      scheduleSigmas(schedule, NoiseSchedule(), steps);
  ASSERT_EQ(actual.size(), expected.size()) << scheduleInfo(schedule).name;
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual[i], expected[i], 2e-5 * expected[i] + 1e-12)
        << scheduleInfo(schedule).name << " σ " << i;
}

TEST(SigmaSchedule, SpacingsInTimestepsMatchTheTrainingSigmas) {
  const std::vector<double> s = trainingSigmas();
  // uniform and normal: linspace(999, 0, 4) = 999, 666, 333, 0.
  expectSigmas(Schedule::Uniform, 4, {s[999], s[666], s[333], s[0], 0});
  expectSigmas(Schedule::Normal, 4, {s[999], s[666], s[333], s[0], 0});
  // sgm_uniform: linspace(999, 0, 4) without its last point.
  expectSigmas(Schedule::SgmUniform, 3, {s[999], s[666], s[333], 0});
  // simple: σ[-(1 + ⌊x·1000/4⌋)] for x = 0..3.
  expectSigmas(Schedule::Simple, 4, {s[999], s[749], s[499], s[249], 0});
  // ddim: every 250th σ from t = 1, reversed.
  expectSigmas(Schedule::Ddim, 4, {s[751], s[501], s[251], s[1], 0});
  // With 30 steps the stride ⌊1000/30⌋ = 33 gives 31 σs, as in A1111.
  EXPECT_EQ(scheduleSigmas(Schedule::Ddim, NoiseSchedule(), 30).size(), 32u);
}

TEST(SigmaSchedule, SpacingsInSigmaFollowTheirFormulas) {
  const std::vector<double> s = trainingSigmas();
  const double low = s.front(), high = s.back();
  const int n = 7;
  std::vector<double> karras, exponential, klOptimal;
  for (int i = 0; i < n; ++i) {
    const double ramp = i / double(n - 1);
    karras.push_back(
        std::pow(std::pow(high, 1 / 7.0) +
                     ramp * (std::pow(low, 1 / 7.0) - std::pow(high, 1 / 7.0)),
                 7.0));
    exponential.push_back(high * std::pow(low / high, ramp));
  }
  for (int i = 0; i <= n; ++i)
    klOptimal.push_back(std::tan(i / double(n) * std::atan(low) +
                                 (1 - i / double(n)) * std::atan(high)));
  karras.push_back(0);
  exponential.push_back(0);
  expectSigmas(Schedule::Karras, n, karras);
  expectSigmas(Schedule::Exponential, n, exponential);
  expectSigmas(Schedule::PolyExponential, n, exponential);
  expectSigmas(Schedule::KlOptimal, n, klOptimal);
}

// ∫₀ˣ of the Beta(a, b) density, by x = sin²θ (which removes the end
// singularities for a, b < 1) and Simpson's rule.
double betaIntegral(double x, double a, double b) {
  auto density = [&](double theta) {
    return 2 * std::pow(std::sin(theta), 2 * a - 1) *
           std::pow(std::cos(theta), 2 * b - 1);
  };
  auto integrate = [&](double end) {
    const int intervals = 20000;
    const double h = end / intervals;
    double sum = density(1e-300) + density(end);
    for (int i = 1; i < intervals; ++i)
      sum += density(i * h) * (i % 2 ? 4 : 2);
    return sum * h / 3;
  };
  return integrate(std::asin(std::sqrt(x))) / integrate(M_PI / 2);
}

TEST(SigmaSchedule, BetaFollowsTheBetaDistributionsQuantiles) {
  for (double p : {0.1, 0.25, 0.5, 0.8, 0.97})
    EXPECT_NEAR(betaIntegral(betaQuantile(p, 0.6, 0.6), 0.6, 0.6), p, 1e-4)
        << p;
  EXPECT_EQ(betaQuantile(0, 0.6, 0.6), 0);
  EXPECT_EQ(betaQuantile(1, 0.6, 0.6), 1);
  const std::vector<double> s = trainingSigmas();
  const double low = s.front(), high = s.back();
  // 1 − linspace(0, 1, 5) = 1, 0.75, 0.5, 0.25, 0; the middle one is the
  // median of a symmetric distribution.
  const std::vector<double> sigmas =
      scheduleSigmas(Schedule::Beta, NoiseSchedule(), 5);
  ASSERT_EQ(sigmas.size(), 6u);
  EXPECT_NEAR(sigmas[0], high, 1e-4);
  EXPECT_NEAR(sigmas[2], (low + high) / 2, 1e-4);
  EXPECT_NEAR(sigmas[4], low, 1e-6);
  EXPECT_NEAR(betaIntegral((sigmas[1] - low) / (high - low), 0.6, 0.6), 0.75,
              1e-4);
  EXPECT_EQ(sigmas[5], 0);
}

TEST(SigmaSchedule, SamplersRunAtTheSchedulesTimesteps) {
  // Euler's timesteps are the σs' own: 999, 666, 333, 0 for uniform.
  auto euler =
      makeSampler({SamplerKind::Euler, Schedule::Uniform}, 4, NoiseSchedule());
  const std::vector<double> expected = {999, 666, 333, 0};
  ASSERT_EQ(euler->timesteps().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(euler->timesteps()[i], expected[i], 1e-3) << i;
  // Heun corrects the last step too when it ends above σ = 0.
  EXPECT_EQ(
      makeSampler({SamplerKind::Heun, Schedule::KlOptimal}, 5, NoiseSchedule())
          ->timesteps()
          .size(),
      10u);
  EXPECT_EQ(makeSampler({SamplerKind::Heun, Schedule::Beta}, 5, NoiseSchedule())
                ->timesteps()
                .size(),
            9u);
}

TEST(SigmaSchedule, NamesAsA1111WritesThem) {
  EXPECT_EQ(parseScheduleName("SGM Uniform"), Schedule::SgmUniform);
  EXPECT_EQ(parseScheduleName("SGMUniform"), Schedule::SgmUniform);
  EXPECT_EQ(parseScheduleName("sgm_uniform"), Schedule::SgmUniform);
  EXPECT_EQ(parseScheduleName("KL Optimal"), Schedule::KlOptimal);
  EXPECT_EQ(parseScheduleName("Automatic"), Schedule::Automatic);
  for (const ScheduleInfo &info : knownSchedules())
    EXPECT_EQ(parseScheduleName(info.label), info.schedule) << info.name;
  EXPECT_THROW(parseScheduleName("align_your_steps"), Error);
  EXPECT_THROW(parseScheduleName(""), Error);
  EXPECT_THROW(scheduleSigmas(Schedule::Automatic, NoiseSchedule(), 5), Error);
  EXPECT_THROW(scheduleSigmas(Schedule::Karras, NoiseSchedule(), 0), Error);
}

} // namespace
} // namespace avila
