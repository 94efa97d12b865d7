//===- PipelineTest.cpp - Progress, cancellation, batches -----------------===//
//
// The pipeline on the tiny-sd artifact (AVILA_TINY_ARTIFACT): what the
// golden cases cannot show.
//
//===----------------------------------------------------------------------===//

#include "runtime/pipeline/Pipeline.h"

#include "runtime/base/Difference.h"
#include "runtime/base/Error.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kModel =
    fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd/diffusers-fp16";

class TinyPipeline : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    const char *path = std::getenv("AVILA_TINY_ARTIFACT");
    ASSERT_NE(path, nullptr) << "AVILA_TINY_ARTIFACT is not set";
    executable = new Executable(Artifact::load(path, artifact::Target::X86), 2);
    executable->bindWeights(Checkpoint(kModel));
    tokenizer = new ClipTokenizer(
        ClipTokenizer::fromDiffusersFolder(kModel / "tokenizer"));
  }
  static void TearDownTestSuite() {
    delete executable;
    delete tokenizer;
  }

  static GenerationParameters small() {
    GenerationParameters parameters;
    parameters.prompt = "a red cube";
    parameters.width = parameters.height = 64;
    parameters.steps = 4;
    parameters.seed = 5;
    return parameters;
  }

  static Executable *executable;
  static ClipTokenizer *tokenizer;
};

Executable *TinyPipeline::executable = nullptr;
ClipTokenizer *TinyPipeline::tokenizer = nullptr;

TEST_F(TinyPipeline, ReportsEveryStepAndStopsWhenAsked) {
  Pipeline pipeline(*executable, *tokenizer);
  std::vector<int> seen;
  EXPECT_THROW(pipeline.generateAll(small(), std::nullopt,
                                    [&](const Progress &progress) {
                                      EXPECT_EQ(progress.steps, 4);
                                      seen.push_back(progress.step);
                                      return progress.step < 2;
                                    }),
               Cancelled);
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST_F(TinyPipeline, Img2ImgRunsTheStrengthsShareOfTheSteps) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.steps = 10;
  parameters.strength = 0.6;
  parameters.sampler = parseSamplerName("ddim");
  const Image init{64, 64, std::vector<uint8_t>(64 * 64 * 3, 90)};
  int last = -1;
  const auto images =
      pipeline.generateAll(parameters, init, [&](const Progress &progress) {
        EXPECT_EQ(progress.steps, 6);
        last = progress.step;
        return true;
      });
  EXPECT_EQ(last, 6);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_NE(images[0].infotext.find("Denoising strength: 0.6"),
            std::string::npos);

  // Strength 0 keeps the image: no step runs, the VAE round trip remains.
  parameters.strength = 0;
  const auto kept = pipeline.generateAll(parameters, init);
  EXPECT_EQ(kept[0].image.width, 64);
}

// Clip skip 1 is the text encoder's own output, bit for bit; 2 (tiny-sd
// has two layers) the first layer's, checked against the interpreter in
// ArtifactSizesTest; beyond the layers, refused.
TEST_F(TinyPipeline, ClipSkipPicksTheLayer) {
  Pipeline pipeline(*executable, *tokenizer);
  HostTensor ids{artifact::ElementType::I32, {1, 77}, {}, {}};
  ids.ids = tokenizePrompt(*tokenizer, "a red cube").ids;
  EXPECT_EQ(pipeline.encodePrompt("a red cube", 1).floats,
            executable->run("text_encoder", {ids}).at(0).floats);
  EXPECT_EQ(pipeline.encodePrompt("a red cube", 2).floats,
            executable->run("text_encoder_layers", {ids}).at(0).floats);
  EXPECT_EQ(pipeline.maxClipSkip(), 2);
  GenerationParameters parameters = small();
  for (int bad : {0, 3, -1}) {
    parameters.clipSkip = bad;
    try {
      pipeline.validate(parameters, std::nullopt);
      ADD_FAILURE() << "clip skip " << bad << " was accepted";
    } catch (const Error &error) {
      EXPECT_NE(std::string(error.what()).find("between 1 and 2"),
                std::string::npos)
          << error.what();
    }
  }
  parameters.clipSkip = 2;
  const auto skipped = pipeline.generateAll(parameters);
  parameters.clipSkip = 1;
  const auto plain = pipeline.generateAll(parameters);
  EXPECT_NE(skipped[0].infotext.find("Clip skip: 2"), std::string::npos);
  EXPECT_EQ(plain[0].infotext.find("Clip skip"), std::string::npos);
  EXPECT_NE(skipped[0].image.rgb, plain[0].image.rgb);
}

// A1111's emphasis (sd_hijack_clip.py, process_tokens), written out here:
// z = encode(tokens); z *= weight per token row; z *= mean(z_before) /
// mean(z_after), means over the whole chunk.
TEST_F(TinyPipeline, EmphasisWeightsTokenRowsAndRestoresTheMean) {
  Pipeline pipeline(*executable, *tokenizer);
  const char *plain = "a red cube", *weighted = "a (red:1.5) [cube]";
  ASSERT_EQ(tokenizePrompt(*tokenizer, plain).ids,
            tokenizePrompt(*tokenizer, weighted).ids);
  const HostTensor z = pipeline.encodePrompt(plain);
  const HostTensor actual = pipeline.encodePrompt(weighted);
  ASSERT_EQ(z.shape, actual.shape);
  const size_t width = static_cast<size_t>(z.shape[2]);
  // Rows: start token, "a", "red", "cube", end token, padding.
  std::vector<double> rowWeight(z.floats.size() / width, 1.0);
  rowWeight[2] = 1.5;
  rowWeight[3] = 1 / 1.1;
  std::vector<double> expected(z.floats.size());
  double meanBefore = 0, meanAfter = 0;
  for (size_t i = 0; i < z.floats.size(); ++i) {
    expected[i] = z.floats[i] * rowWeight[i / width];
    meanBefore += z.floats[i];
    meanAfter += expected[i];
  }
  for (double &value : expected)
    value *= meanBefore / meanAfter;
  EXPECT_LT(relativeL2(actual.floats, expected), 1e-6);
  // The weights matter: the plain encoding is far from the weighted one.
  EXPECT_GT(relativeL2(z.floats, expected), 1e-2);
}

TEST_F(TinyPipeline, BatchesAndCountsGiveConsecutiveSeeds) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.batchSize = 2;
  parameters.batchCount = 2;
  const auto images = pipeline.generateAll(parameters);
  ASSERT_EQ(images.size(), 4u);
  for (size_t i = 0; i < images.size(); ++i)
    EXPECT_EQ(images[i].seed, 5 + static_cast<int64_t>(i));
  parameters.batchSize = parameters.batchCount = 1;
  parameters.seed = 7;
  EXPECT_EQ(pipeline.generateAll(parameters)[0].image.rgb, images[2].image.rgb);
}

// A batch's images are delivered before the next batch starts, so a run of
// thousands of images never holds more than one batch.
TEST_F(TinyPipeline, DeliversEachBatchBeforeTheNextStarts) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.batchSize = 2;
  parameters.batchCount = 2;
  std::vector<std::string> events;
  pipeline.generate(
      parameters, std::nullopt,
      [&](GeneratedImage image) {
        events.push_back("image " + std::to_string(image.seed));
      },
      [&](const Progress &progress) {
        if (progress.step == 0)
          events.push_back("batch " + std::to_string(progress.batch));
        return true;
      });
  EXPECT_EQ(events,
            (std::vector<std::string>{"batch 0", "image 5", "image 6",
                                      "batch 1", "image 7", "image 8"}));
}

TEST_F(TinyPipeline, RandomSeedsAreChosenAndReported) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.seed = -1;
  const auto images = pipeline.generateAll(parameters);
  EXPECT_GE(images[0].seed, 0);
  EXPECT_NE(images[0].infotext.find("Seed: " + std::to_string(images[0].seed)),
            std::string::npos);
}

TEST_F(TinyPipeline, CudaSeedsDifferFromCpuSeeds) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  const auto cpu = pipeline.generateAll(parameters);
  parameters.rng = NoiseSource::TorchCuda;
  const auto cuda = pipeline.generateAll(parameters);
  EXPECT_NE(cpu[0].image.rgb, cuda[0].image.rgb);
  EXPECT_NE(cuda[0].infotext.find("RNG: GPU"), std::string::npos);
}

// Interrupt after evaluation 2 of 4: the image is the decode of the
// latents the progress callback saw after that evaluation, and the second
// batch never runs.
TEST_F(TinyPipeline, InterruptDecodesTheLatentsItHasAndRunsNoMoreBatches) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.batchCount = 2;
  EarlyStop stop;
  std::optional<HostTensor> seen;
  std::vector<GeneratedImage> images;
  pipeline.generate(
      parameters, std::nullopt,
      [&](GeneratedImage image) { images.push_back(std::move(image)); },
      [&](const Progress &progress) {
        EXPECT_EQ(progress.batch, 0);
        if (progress.step == 2) {
          seen = *progress.latents;
          stop.interrupt = true;
        }
        return true;
      },
      &stop);
  ASSERT_EQ(images.size(), 1u);
  ASSERT_TRUE(seen);
  const HostTensor decoded = pipeline.decode(*seen);
  EXPECT_EQ(images[0].image.rgb, tensorToImage(decoded.floats, 64, 64).rgb);
  const auto full = pipeline.generateAll(small());
  EXPECT_NE(images[0].image.rgb, full[0].image.rgb);
}

// Skip ends the first batch early; the second is what it would have been.
TEST_F(TinyPipeline, SkipEndsOneBatchAndTheNextRunsWhole) {
  Pipeline pipeline(*executable, *tokenizer);
  GenerationParameters parameters = small();
  parameters.batchCount = 2;
  EarlyStop stop;
  std::vector<int> lastSteps(2, -1);
  std::vector<GeneratedImage> images;
  pipeline.generate(
      parameters, std::nullopt,
      [&](GeneratedImage image) { images.push_back(std::move(image)); },
      [&](const Progress &progress) {
        lastSteps[progress.batch] = progress.step;
        if (progress.batch == 0 && progress.step == 1)
          stop.skip = true;
        return true;
      },
      &stop);
  EXPECT_EQ(lastSteps, (std::vector<int>{1, 4}));
  ASSERT_EQ(images.size(), 2u);
  GenerationParameters second = small();
  second.seed = 6;
  EXPECT_EQ(images[1].image.rgb, pipeline.generateAll(second)[0].image.rgb);
  EXPECT_FALSE(stop.skip);
}

} // namespace
} // namespace avila
