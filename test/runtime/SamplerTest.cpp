//===- SamplerTest.cpp - Sampler schedules and names ----------------------===//
//
// The timesteps each sampler runs the U-Net at must equal the ones the
// reference schedulers ran (golden txt2img.<sched>.timesteps); the latents
// they produce are checked end to end by the golden pipeline tests.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Sampler.h"

#include "runtime/base/Error.h"
#include "runtime/random/NoiseGenerator.h"
#include "runtime/weights/Safetensors.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <unistd.h>

namespace avila {
namespace {

TEST(Sampler, TimestepsEqualTheReferenceSchedulers) {
  const SafetensorsFile cases(AVILA_SHARED_DIR
                              "/golden/tiny-sd/cases.safetensors");
  const NoiseSchedule schedule;
  for (const char *name : {"ddim", "euler", "euler_a", "dpmpp_2m_karras",
                           "pndm", "heun", "unipc", "lcm"}) {
    const TensorEntry *expected =
        cases.find(std::string("txt2img.") + name + ".timesteps");
    ASSERT_TRUE(expected) << name;
    const std::vector<float> timesteps = readFloats(*expected);
    auto sampler = makeSampler(parseSamplerName(name), 6, schedule);
    ASSERT_EQ(sampler->timesteps().size(), timesteps.size()) << name;
    for (size_t i = 0; i < timesteps.size(); ++i)
      EXPECT_EQ(static_cast<float>(sampler->timesteps()[i]), timesteps[i])
          << name << " evaluation " << i;
  }
}

TEST(Sampler, Img2ImgStartsAtTheStrengthsTimestep) {
  const SafetensorsFile cases(AVILA_SHARED_DIR
                              "/golden/tiny-sd/cases.safetensors");
  const std::vector<float> expected =
      readFloats(*cases.find("img2img.ddim.timesteps"));
  auto sampler = makeSampler(parseSamplerName("ddim"), 10, NoiseSchedule());
  const size_t first = sampler->firstEvaluationFor(0.6);
  ASSERT_EQ(sampler->timesteps().size() - first, expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(sampler->timesteps()[first + i], expected[i]);
  EXPECT_EQ(sampler->firstEvaluationFor(1.0), 0u);
  EXPECT_EQ(sampler->firstEvaluationFor(0.0), 10u);
}

TEST(Sampler, A1111NamesMapOntoTheSamplers) {
  EXPECT_EQ(parseSamplerName("Euler a").kind, SamplerKind::EulerAncestral);
  EXPECT_EQ(parseSamplerName("DPM++ 2M").kind, SamplerKind::DpmPp2M);
  EXPECT_EQ(parseSamplerName("DPM++ 2M").schedule, Schedule::Automatic);
  EXPECT_EQ(parseSamplerName("DPM++ 2M Karras").schedule, Schedule::Karras);
  EXPECT_EQ(parseSamplerName("DDIM").kind, SamplerKind::Ddim);
  EXPECT_EQ(parseSamplerName("PLMS").kind, SamplerKind::Pndm);
  EXPECT_EQ(parseSamplerName("UniPC").kind, SamplerKind::UniPc);
  EXPECT_EQ(parseSamplerName("k_euler_a").kind, SamplerKind::EulerAncestral);
  EXPECT_EQ(parseSamplerName("k_euler_ancestral").kind,
            SamplerKind::EulerAncestral);
  EXPECT_EQ(parseSamplerName("k_dpmpp_2m").kind, SamplerKind::DpmPp2M);
  for (const std::string &name : knownSamplerNames()) {
    const SamplerChoice choice = parseSamplerName(name);
    EXPECT_EQ(parseSamplerName(samplerName(choice)).kind, choice.kind);
    EXPECT_EQ(parseSamplerName(a1111SamplerName(choice)).schedule,
              choice.schedule);
  }
  EXPECT_THROW(parseSamplerName("DPM++ 3M SDE Exponential"), Error);
  EXPECT_THROW(parseSamplerName(""), Error);
}

TEST(NoiseSchedule, ReadsADiffusersSchedulerConfig) {
  // A schedule unlike SD 1.x's in every field the runtime reads.
  const std::filesystem::path model =
      std::filesystem::temp_directory_path() /
      ("avila-schedule-" + std::to_string(getpid()));
  std::filesystem::create_directories(model / "scheduler");
  std::ofstream(model / "scheduler" / "scheduler_config.json")
      << R"({"beta_schedule": "scaled_linear", "beta_start": 0.0001,
             "beta_end": 0.02, "num_train_timesteps": 500,
             "prediction_type": "epsilon"})";
  const NoiseSchedule read = NoiseSchedule::forModel(model);
  std::filesystem::remove_all(model);
  EXPECT_EQ(read.trainSteps(), 500);
  // ᾱ_0 = 1 − β_0 and ᾱ_1 = ᾱ_0 (1 − β_1), with √β spaced linearly over
  // 500 steps from √0.0001 = 0.01 to √0.02.
  const double root1 = 0.01 + (std::sqrt(0.02) - 0.01) / 499;
  EXPECT_NEAR(read.alphaCumprod(0), 1 - 0.0001, 1e-6);
  EXPECT_NEAR(read.alphaCumprod(1), (1 - 0.0001) * (1 - root1 * root1), 1e-6);
  EXPECT_NE(read.sigmaMax(), NoiseSchedule().sigmaMax());
  // A single file has no scheduler config: SD 1.x's schedule.
  EXPECT_EQ(NoiseSchedule::forModel("/nonexistent.safetensors").sigmaMax(),
            NoiseSchedule().sigmaMax());
}

TEST(NoiseSchedule, RefusesSchedulesItCannotRun) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("avila-scheduler-" + std::to_string(getpid()) + ".json");
  for (const char *config :
       {R"({"prediction_type": "v_prediction"})",
        R"({"beta_schedule": "squaredcos_cap_v2"})",
        R"({"trained_betas": [0.1, 0.2]})", R"({"num_train_timesteps": "x"})",
        R"({"beta_start": 0.5, "beta_end": 0.1})", R"([1, 2])", "{"}) {
    std::ofstream(file) << config;
    EXPECT_THROW(NoiseSchedule::fromDiffusersConfig(file), Error) << config;
  }
  std::filesystem::remove(file);
  try {
    NoiseSchedule::fromDiffusersConfig(file.parent_path());
    ADD_FAILURE() << "a directory was read as a scheduler config";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("is a directory"),
              std::string::npos)
        << error.what();
  }
}

TEST(Sampler, RefusesStepCountsOutOfRange) {
  const NoiseSchedule schedule;
  EXPECT_THROW(makeSampler({SamplerKind::Euler}, 0, schedule), Error);
  EXPECT_THROW(makeSampler({SamplerKind::Euler}, -3, schedule), Error);
  EXPECT_THROW(makeSampler({SamplerKind::Euler}, 1001, schedule), Error);
  EXPECT_THROW(makeSampler({SamplerKind::Lcm}, 51, schedule), Error);
  EXPECT_THROW(makeSampler({SamplerKind::Ddim, Schedule::Karras}, 10, schedule),
               Error);
  EXPECT_THROW(
      makeSampler({SamplerKind::UniPc, Schedule::Exponential}, 10, schedule),
      Error);
}

// With a perfect denoiser for a point mass at x0 (ε = (x - √ᾱ x0)/√(1-ᾱ) in
// VP terms, (x - x0)/σ in σ terms), every deterministic sampler must land
// on x0 from any start: a check of each update rule independent of the
// golden data. DDIM and PLMS stop at t = 0, not at σ = 0 (σ_0 = 0.03), so
// they keep that much of the noise.
TEST(Sampler, DeterministicSamplersRecoverAPointMass) {
  const NoiseSchedule schedule;
  const std::vector<float> target = {0.5f, -1.25f, 2.0f, 0.0f};
  std::vector<SamplerChoice> choices;
  for (const char *name : {"ddim", "euler", "dpmpp_2m", "dpmpp_2m_karras",
                           "pndm", "heun", "unipc", "lcm", "euler_a"})
    choices.push_back(parseSamplerName(name));
  // Every schedule with every sampler that takes one (kl_optimal ends at
  // σmin = 0.03, like DDIM).
  for (const ScheduleInfo &info : knownSchedules())
    for (SamplerKind kind :
         {SamplerKind::Euler, SamplerKind::Heun, SamplerKind::DpmPp2M})
      choices.push_back({kind, info.schedule});
  for (const SamplerChoice &choice : choices) {
    const std::string name =
        samplerName(choice) + " " + scheduleInfo(choice.schedule).name;
    auto sampler = makeSampler(choice, 12, schedule);
    auto noise = makeNoiseGenerator(NoiseSource::TorchCpu, 3);
    std::vector<float> latents = noise->randn(target.size());
    for (float &value : latents)
      value *= static_cast<float>(sampler->initialNoiseScale());
    for (size_t i = 0; i < sampler->timesteps().size(); ++i) {
      const double scale = sampler->modelInputScale(i);
      const double t = sampler->timesteps()[i];
      // The U-Net input x·scale is √ᾱ x0 + √(1-ᾱ) ε at timestep t.
      const double sigma = schedule.sigmaAt(t);
      const double alpha = 1 / std::sqrt(sigma * sigma + 1);
      std::vector<float> eps(target.size());
      for (size_t j = 0; j < eps.size(); ++j)
        eps[j] = static_cast<float>((latents[j] * scale - alpha * target[j]) /
                                    (sigma * alpha));
      sampler->step(i, eps, latents, *noise);
    }
    for (size_t j = 0; j < target.size(); ++j)
      EXPECT_NEAR(latents[j], target[j], 0.06) << name << " element " << j;
  }
}

} // namespace
} // namespace avila
