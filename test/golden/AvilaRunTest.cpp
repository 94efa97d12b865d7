//===- AvilaRunTest.cpp - avila-run end to end and on bad input -----------===//
//
// Runs the avila-run binary (AVILA_RUN) with the tiny-sd artifact
// (AVILA_TINY_ARTIFACT): the PNG it writes must decode, match the golden
// txt2img image and carry parameters that read back to the request; every
// kind of bad input must end the program with a non-zero status and one
// line naming the problem.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/Image.h"
#include "runtime/image/Png.h"
#include "runtime/pipeline/Infotext.h"
#include "runtime/weights/Safetensors.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace avila {
namespace {

namespace fs = std::filesystem;

const fs::path kShared = AVILA_SHARED_DIR;
const fs::path kTiny = kShared / "golden/tiny-sd";

struct Outcome {
  int status;
  std::string output; // stdout and stderr together
};

std::string quote(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

Outcome runAvilaRun(const std::vector<std::string> &arguments) {
  std::string command = quote(std::getenv("AVILA_RUN"));
  for (const std::string &argument : arguments)
    command += " " + quote(argument);
  command += " 2>&1";
  Outcome outcome;
  FILE *pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer;
  while (size_t read = std::fread(buffer.data(), 1, buffer.size(), pipe))
    outcome.output.append(buffer.data(), read);
  const int status = pclose(pipe);
  outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// The largest difference between an 8-bit image and a golden NCHW image in
// [0, 1].
double maxDifference(const Image &image, const std::vector<float> &golden) {
  double worst = 0;
  const size_t plane = size_t(image.width) * image.height;
  for (size_t i = 0; i < plane; ++i)
    for (size_t c = 0; c < 3; ++c)
      worst = std::max(worst, std::fabs(image.rgb[i * 3 + c] / 255.0 -
                                        golden[c * plane + i]));
  return worst;
}

class AvilaRun : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_NE(std::getenv("AVILA_RUN"), nullptr);
    ASSERT_NE(std::getenv("AVILA_TINY_ARTIFACT"), nullptr);
    output = fs::temp_directory_path() /
             ("avila-run-test-" + std::to_string(getpid()));
    fs::create_directories(output);
  }
  void TearDown() override { fs::remove_all(output); }

  std::vector<std::string> base() const {
    return {"--artifact", std::getenv("AVILA_TINY_ARTIFACT"),
            "--model",    (kTiny / "diffusers-fp16").string(),
            "--width",    "128",
            "--height",   "128",
            "--steps",    "6",
            "-o",         (output / "out.png").string()};
  }

  fs::path output;
};

TEST_F(AvilaRun, WritesTheGoldenImageWithItsParameters) {
  std::vector<std::string> arguments = base();
  for (const char *argument :
       {"--prompt", "a photograph of an astronaut riding a horse",
        "--negative-prompt", "blurry, low quality", "--sampler", "DDIM",
        "--seed", "1234", "--cfg-scale", "7.5"})
    arguments.push_back(argument);
  const Outcome outcome = runAvilaRun(arguments);
  ASSERT_EQ(outcome.status, 0) << outcome.output;

  const fs::path png = output / "out.png";
  const Image image = readImage(png);
  ASSERT_EQ(image.width, 128);
  ASSERT_EQ(image.height, 128);
  const SafetensorsFile cases(kTiny / "cases.safetensors");
  EXPECT_LT(maxDifference(image, readFloats(*cases.find("txt2img.ddim.image"))),
            2.0 / 255);

  const auto text = readPngText(png);
  ASSERT_TRUE(text.count("parameters"));
  const GenerationParameters read =
      parametersFromInfotext(text.at("parameters"));
  EXPECT_EQ(read.prompt, "a photograph of an astronaut riding a horse");
  EXPECT_EQ(read.negativePrompt, "blurry, low quality");
  EXPECT_EQ(read.steps, 6);
  EXPECT_EQ(read.cfgScale, 7.5);
  EXPECT_EQ(read.seed, 1234);
  EXPECT_EQ(read.width, 128);
  EXPECT_EQ(read.height, 128);
  EXPECT_EQ(read.sampler.kind, SamplerKind::Ddim);
  EXPECT_EQ(read.rng, NoiseSource::TorchCpu);
}

TEST_F(AvilaRun, SameSeedSameImageAndBatchesNumberTheirFiles) {
  std::vector<std::string> arguments = base();
  for (const char *argument :
       {"--prompt", "(red:1.2) cube BREAK blue", "--seed", "7", "--batch-size",
        "2", "--width", "64", "--sampler", "Euler a"})
    arguments.push_back(argument);
  ASSERT_EQ(runAvilaRun(arguments).status, 0);
  const Image second = readImage(output / "out-2.png");
  EXPECT_EQ(
      parametersFromInfotext(readPngText(output / "out-2.png").at("parameters"))
          .seed,
      8);
  // Image 2 of the batch is what seed 8 gives alone.
  arguments.insert(arguments.end(), {"--seed", "8", "--batch-size", "1", "-o",
                                     (output / "alone.png").string()});
  ASSERT_EQ(runAvilaRun(arguments).status, 0);
  EXPECT_EQ(readImage(output / "alone.png").rgb, second.rgb);
}

TEST_F(AvilaRun, Img2ImgReadsPngAndJpeg) {
  for (const char *image : {"astronaut.png", "rocket.jpg"}) {
    std::vector<std::string> arguments = base();
    for (const std::string &argument :
         {std::string("--prompt"), std::string("a rocket"),
          std::string("--init-image"),
          (kShared / "data/images" / image).string(), std::string("--strength"),
          std::string("0.5")})
      arguments.push_back(argument);
    const Outcome outcome = runAvilaRun(arguments);
    ASSERT_EQ(outcome.status, 0) << outcome.output;
    const auto read = parametersFromInfotext(
        readPngText(output / "out.png").at("parameters"));
    EXPECT_EQ(read.strength, 0.5);
  }
}

// The golden img2img case from the photo itself rather than from the golden
// init tensor: Pillow's bicubic resize (what the golden data used), the
// seed that draws the golden img2img noise (4321), DDIM, 10 steps, 0.6.
TEST_F(AvilaRun, Img2ImgFromThePhotoGivesTheGoldenImage) {
  std::vector<std::string> arguments = base();
  arguments.insert(arguments.end(),
                   {"--prompt", "a photograph of an astronaut riding a horse",
                    "--negative-prompt", "blurry, low quality", "--sampler",
                    "DDIM", "--steps", "10", "--seed", "4321", "--strength",
                    "0.6", "--init-image",
                    (kShared / "data/images/astronaut.png").string(),
                    "--resize-filter", "bicubic"});
  const Outcome outcome = runAvilaRun(arguments);
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  const SafetensorsFile cases(kTiny / "cases.safetensors");
  // Only 8-bit rounding apart: a resize one level off (Lanczos) is 1.7/255
  // away, stb's old linear-light one 7/255.
  EXPECT_LT(maxDifference(readImage(output / "out.png"),
                          readFloats(*cases.find("img2img.ddim.image"))),
            0.5 / 255 + 1e-4);
}

// Single files in either text-encoder key style, found through the
// artifact's manifest, give the same image as the diffusers folder.
TEST_F(AvilaRun, SingleFilesOfEitherKeyStyleGiveTheSameImage) {
  const char *legacy = std::getenv("AVILA_LEGACY_CHECKPOINT");
  ASSERT_NE(legacy, nullptr);
  std::vector<Image> images;
  for (const std::string &model :
       {(kTiny / "diffusers-fp16").string(),
        (kTiny / "tiny-sd-ldm-fp16.safetensors").string(),
        std::string(legacy)}) {
    std::vector<std::string> arguments = base();
    arguments.insert(
        arguments.end(),
        {"--model", model, "--prompt", "a lighthouse", "--seed", "3", "--width",
         "64", "--height", "64", "--tokenizer",
         (kShared / "data/clip/bpe_simple_vocab_16e6.txt.gz").string()});
    const Outcome outcome = runAvilaRun(arguments);
    ASSERT_EQ(outcome.status, 0) << model << ": " << outcome.output;
    images.push_back(readImage(output / "out.png"));
  }
  EXPECT_EQ(images[1].rgb, images[0].rgb);
  EXPECT_EQ(images[2].rgb, images[0].rgb);
}

struct BadInput {
  std::vector<std::string> arguments;
  std::string message;
};

TEST_F(AvilaRun, BadInputGivesOneClearLineAndAFailureStatus) {
  const fs::path garbage = output / "garbage.bin";
  std::ofstream(garbage) << "not an artifact, not a checkpoint, not an image";
  const fs::path truncated = output / "truncated.safetensors";
  std::ofstream(truncated) << std::string("\x40\0\0\0\0\0\0\0{\"a\":", 13);
  const std::string images = (kShared / "data/images/astronaut.png").string();
  const std::vector<BadInput> cases = {
      {{"--sampler", "turbo"}, "unknown sampler 'turbo'"},
      {{"--width", "100"}, "width must be a multiple of 8"},
      {{"--height", "4096"}, "outside this artifact's range"},
      {{"--steps", "0"}, "steps must be between 1"},
      {{"--steps", "-5"}, "steps must be between 1"},
      {{"--steps", "many"}, "--steps expects a number"},
      {{"--cfg-scale", "nan"}, "--cfg-scale expects"},
      {{"--init-image", images, "--strength", "1.5"},
       "strength must be between 0 and 1"},
      {{"--strength", "0.5"}, "--strength applies to img2img"},
      {{"--init-image", (kTiny / "cases.json").string()},
       "is not a PNG or JPEG image"},
      {{"--init-image", "/nonexistent.png"}, "cannot read /nonexistent.png"},
      {{"--init-image", output.string()},
       output.string() + " is a directory, not an image file"},
      {{"--init-image", images, "--resize-mode", "stretch"},
       "--resize-mode is just, crop or fill (or 0, 1, 2), not 'stretch'"},
      {{"--init-image", images, "--resize-filter", "nearest"},
       "--resize-filter is lanczos or bicubic, not 'nearest'"},
      {{"--resize-mode", "crop"},
       "--resize-mode and --resize-filter apply to img2img"},
      {{"--rng", "quantum"}, "--rng is cpu or cuda"},
      {{"--batch-size", "100"}, "batch size must be between 1 and 8"},
      {{"--seed", "-2"}, "seed must be -1"},
      {{"--seed", "9223372036854775807"}, "is too large"},
      {{"--seed", "99999999999999999999"}, "--seed expects a number"},
      {{"--artifact", "/nonexistent.avila"}, "nonexistent.avila"},
      {{"--artifact", garbage.string()}, "not an Avila artifact"},
      {{"--model", "/nonexistent.safetensors"}, "nonexistent.safetensors"},
      {{"--model", truncated.string()}, "truncated.safetensors"},
      {{"--model", "model.ckpt"}, "pickle"},
      {{"-o", (output / "out.jpg").string()}, "must end in .png"},
      {{"--frobnicate", "1"}, "unknown option --frobnicate"},
      {{"--prompt", "bad \xff byte"}, "the prompt is not valid UTF-8"},
      {{"--negative-prompt", std::string(20000, 'x')},
       "prompts are limited to 16384 bytes"},
      {{"--model", (kShared / "golden/tiny-sd/diffusers-fp16/unet").string()},
       "not a diffusers model"},
  };
  for (const BadInput &bad : cases) {
    std::vector<std::string> arguments = base();
    arguments.insert(arguments.end(), {"--prompt", "a cat", "--seed", "-1"});
    // Later flags override earlier ones.
    arguments.insert(arguments.end(), bad.arguments.begin(),
                     bad.arguments.end());
    const Outcome outcome = runAvilaRun(arguments);
    EXPECT_NE(outcome.status, 0) << bad.message;
    EXPECT_NE(outcome.output.find(bad.message), std::string::npos)
        << "expected '" << bad.message << "' in: " << outcome.output;
    EXPECT_EQ(std::count(outcome.output.begin(), outcome.output.end(), '\n'), 1)
        << outcome.output;
    EXPECT_TRUE(outcome.output.starts_with("avila-run: error: "))
        << outcome.output;
  }
}

TEST_F(AvilaRun, MissingRequiredOptionsAreNamed) {
  const Outcome outcome = runAvilaRun({"--prompt", "x"});
  EXPECT_NE(outcome.status, 0);
  EXPECT_NE(
      outcome.output.find("--artifact, --model and --prompt are required"),
      std::string::npos);
  EXPECT_EQ(runAvilaRun({"--help"}).status, 0);
}

} // namespace
} // namespace avila
