//===- InfotextTest.cpp - Generation parameters as A1111 writes them ------===//

#include "runtime/pipeline/Infotext.h"

#include "runtime/base/Error.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

GenerationParameters example() {
  GenerationParameters parameters;
  parameters.prompt = "a castle, (golden hour:1.2)\nsecond line";
  parameters.negativePrompt = "blurry, lowres";
  parameters.steps = 25;
  parameters.cfgScale = 6.5;
  parameters.sampler = parseSamplerName("DPM++ 2M Karras");
  parameters.width = 768;
  parameters.height = 512;
  parameters.rng = NoiseSource::TorchCuda;
  parameters.strength = 0.4;
  parameters.modelName = "dream, v2: final";
  return parameters;
}

TEST(Infotext, FormatsLikeA1111) {
  GenerationParameters parameters = example();
  parameters.prompt = "a castle";
  parameters.modelName = "v1-5";
  EXPECT_EQ(formatInfotext(parameters, 42, false),
            "a castle\nNegative prompt: blurry, lowres\nSteps: 25, Sampler: "
            "DPM++ 2M Karras, CFG scale: 6.5, Seed: 42, Size: 768x512, Model: "
            "v1-5, RNG: GPU, Version: avila");
}

TEST(Infotext, ReadsBackWhatItWrites) {
  const GenerationParameters written = example();
  const GenerationParameters read =
      parametersFromInfotext(formatInfotext(written, 1234567890123, true));
  EXPECT_EQ(read.prompt, written.prompt);
  EXPECT_EQ(read.negativePrompt, written.negativePrompt);
  EXPECT_EQ(read.steps, written.steps);
  EXPECT_EQ(read.cfgScale, written.cfgScale);
  EXPECT_EQ(read.sampler.kind, written.sampler.kind);
  EXPECT_EQ(read.sampler.schedule, written.sampler.schedule);
  EXPECT_EQ(read.seed, 1234567890123);
  EXPECT_EQ(read.width, written.width);
  EXPECT_EQ(read.height, written.height);
  EXPECT_EQ(read.rng, written.rng);
  EXPECT_EQ(read.strength, written.strength);
  EXPECT_EQ(read.modelName, written.modelName);
}

TEST(Infotext, SchedulesOtherThanKarrasAreWrittenApart) {
  GenerationParameters written = example();
  written.sampler = {SamplerKind::Euler, Schedule::SgmUniform};
  const std::string text = formatInfotext(written, 7, false);
  EXPECT_NE(text.find("Sampler: Euler, Schedule type: SGM Uniform, CFG"),
            std::string::npos)
      << text;
  const GenerationParameters read = parametersFromInfotext(text);
  EXPECT_EQ(read.sampler.kind, SamplerKind::Euler);
  EXPECT_EQ(read.sampler.schedule, Schedule::SgmUniform);
  EXPECT_EQ(parametersFromInfotext("p\nSteps: 3, Sampler: DDIM, Schedule "
                                   "type: Automatic, Seed: 1")
                .sampler.schedule,
            Schedule::Automatic);
}

TEST(Infotext, VariationSeedsAsA1111WritesThem) {
  GenerationParameters written = example();
  written.modelName = "m";
  written.subseedStrength = 0.25;
  written.subseed = 99;
  written.seedResizeFromWidth = 640;
  written.seedResizeFromHeight = 448;
  written.clipSkip = 2;
  const std::string text = formatInfotext(written, 7, true, 101);
  EXPECT_NE(text.find("Model: m, Variation seed: 101, Variation seed "
                      "strength: 0.25, Seed resize from: 640x448, Denoising "
                      "strength: 0.4, Clip skip: 2, RNG"),
            std::string::npos)
      << text;
  const GenerationParameters read = parametersFromInfotext(text);
  EXPECT_EQ(read.subseed, 101);
  EXPECT_EQ(read.subseedStrength, 0.25);
  EXPECT_EQ(read.seedResizeFromWidth, 640);
  EXPECT_EQ(read.seedResizeFromHeight, 448);
  EXPECT_EQ(read.clipSkip, 2);
  // Without a strength, neither is written.
  written.subseedStrength = 0;
  written.seedResizeFromWidth = -1;
  const std::string plain = formatInfotext(written, 7, false, 101);
  EXPECT_EQ(plain.find("Variation"), std::string::npos) << plain;
  EXPECT_EQ(plain.find("Seed resize"), std::string::npos) << plain;
}

TEST(Infotext, ReadsA1111sOwnText) {
  const GenerationParameters read = parametersFromInfotext(
      "masterpiece, a fox\nNegative prompt: ugly\nSteps: 30, Sampler: DPM++ "
      "2M, Schedule type: Karras, CFG scale: 7, Seed: 3, Size: 512x768, "
      "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Version: v1.10.1");
  EXPECT_EQ(read.prompt, "masterpiece, a fox");
  EXPECT_EQ(read.negativePrompt, "ugly");
  EXPECT_EQ(read.steps, 30);
  EXPECT_EQ(read.sampler.schedule, Schedule::Karras);
  EXPECT_EQ(read.cfgScale, 7.0);
  EXPECT_EQ(read.height, 768);
  EXPECT_EQ(read.rng, NoiseSource::TorchCuda);
}

TEST(Infotext, APromptWithoutSettingsIsJustAPrompt) {
  const ParsedInfotext parsed = parseInfotext("just words: nothing else");
  EXPECT_EQ(parsed.prompt, "just words: nothing else");
  EXPECT_TRUE(parsed.settings.empty());
}

TEST(Infotext, RefusesMalformedSettings) {
  EXPECT_THROW(parametersFromInfotext("p\nSteps: x, Sampler: Euler, Seed: 1"),
               Error);
  EXPECT_THROW(
      parametersFromInfotext("p\nSteps: 2, Sampler: Nope, Size: 512x512"),
      Error);
  EXPECT_THROW(
      parametersFromInfotext("p\nSteps: 2, Sampler: Euler, Size: 512by512"),
      Error);
}

} // namespace
} // namespace avila
