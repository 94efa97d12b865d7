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
#include "runtime/lora/LoraFile.h"
#include "runtime/pipeline/Infotext.h"
#include "runtime/weights/Safetensors.h"
#include "test/LoraFiles.h"

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

// A copy of the fp16 single file in the test's folder with every value of
// `tensor` NaN, as a corrupted download or a broken merge leaves it.
fs::path checkpointWithNan(const fs::path &folder, const std::string &tensor) {
  std::ifstream in(kTiny / "tiny-sd-ldm-fp16.safetensors", std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                          std::istreambuf_iterator<char>());
  const SafetensorsIndex index =
      parseSafetensors(std::as_bytes(std::span(bytes)), "tiny-sd");
  const TensorEntry &entry = index.tensors.at(tensor);
  EXPECT_EQ(entry.dtype, DType::F16);
  const size_t offset =
      reinterpret_cast<const char *>(entry.bytes.data()) - bytes.data();
  for (size_t i = 0; i < entry.bytes.size(); i += 2) {
    bytes[offset + i] = 0x00; // fp16 quiet NaN 0x7e00, little-endian
    bytes[offset + i + 1] = 0x7e;
  }
  const fs::path path = folder / ("nan-" + tensor + ".safetensors");
  std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
  return path;
}

// A NaN weight is named at the network and step that met it, and no image
// (which would be black) is written.
TEST_F(AvilaRun, NanWeightsFailNamingTheNetworkAndStep) {
  const std::pair<const char *, const char *> cases[] = {
      {"cond_stage_model.transformer.text_model.final_layer_norm.weight",
       "avila-run: error: the text encoder produced NaN (the checkpoint may "
       "hold NaN or huge weights)"},
      {"model.diffusion_model.out.2.bias",
       "avila-run: error: the U-Net produced NaN at step 1 of 2 (the "
       "checkpoint may hold NaN or huge weights)"},
      {"first_stage_model.decoder.conv_out.bias",
       "avila-run: error: the VAE decoder produced NaN (the checkpoint may "
       "hold NaN or huge weights)"},
  };
  for (const auto &[tensor, message] : cases) {
    std::vector<std::string> arguments = base();
    arguments.insert(
        arguments.end(),
        {"--model", checkpointWithNan(output, tensor).string(), "--prompt",
         "a lighthouse", "--seed", "3", "--steps", "2", "--width", "64",
         "--height", "64", "--tokenizer",
         (kShared / "data/clip/bpe_simple_vocab_16e6.txt.gz").string()});
    const Outcome outcome = runAvilaRun(arguments);
    EXPECT_EQ(outcome.status, 1) << tensor;
    // The last line; progress lines may come before it.
    EXPECT_TRUE(outcome.output.ends_with(std::string(message) + "\n"))
        << outcome.output;
    EXPECT_FALSE(fs::exists(output / "out.png")) << tensor;
  }
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
  // A diffusers folder whose U-Net file is a directory.
  const fs::path folderModel = output / "folder-model";
  fs::create_directories(folderModel /
                         "unet/diffusion_pytorch_model.safetensors");
  fs::create_directories(output / "folder.png");
  const fs::path longPrompt = output / "long.txt";
  std::ofstream(longPrompt) << std::string(20000, 'x');
  const fs::path badPrompt = output / "bad.txt";
  std::ofstream(badPrompt) << "bad \xff byte\n";
  // Cropped to a square, a sliver would be scaled past every limit first.
  const fs::path sliver = output / "sliver.png";
  writePng(sliver, Image{1, 1000, std::vector<uint8_t>(3000, 0)}, {});
  const std::vector<BadInput> cases = {
      {{"--sampler", "turbo"}, "unknown sampler 'turbo'"},
      {{"--scheduler", "cosine"}, "unknown scheduler 'cosine'"},
      {{"--sampler", "DDIM", "--scheduler", "karras"},
       "the ddim sampler has no schedule to choose"},
      {{"--subseed-strength", "2"}, "must be between 0 and 1"},
      {{"--subseed", "-2"}, "subseed must be -1"},
      {{"--seed-resize-from-w", "4", "--seed-resize-from-h", "64"},
       "the seed resize width must be between 8"},
      {{"--clip-skip", "3"}, "clip skip must be between 1 and 2"},
      {{"--clip-skip", "0"}, "clip skip must be between 1 and 2"},
      {{"--vae", "/nonexistent.safetensors"}, "nonexistent.safetensors"},
      {{"--vae", truncated.string()}, "truncated.safetensors"},
      {{"--vae", (kShared / "golden/tiny-sd/diffusers-fp16/unet").string()},
       "has no vae tensor"},
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
      {{"--init-image", "/nonexistent.png"},
       "cannot open /nonexistent.png: No such file or directory"},
      {{"--init-image", output.string()},
       output.string() + " is a directory, not a file"},
      {{"--init-image", images, "--resize-mode", "stretch"},
       "--resize-mode is just, crop or fill (or 0, 1, 2), not 'stretch'"},
      {{"--init-image", images, "--resize-filter", "nearest"},
       "--resize-filter is lanczos or bicubic, not 'nearest'"},
      {{"--resize-mode", "crop"},
       "--resize-mode and --resize-filter apply to img2img"},
      {{"--init-image", sliver.string(), "--resize-mode", "crop"},
       "cannot fit a 1x1000 image to 128x128"},
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
      {{"--artifact", output.string()},
       output.string() + " is a directory, not a file"},
      {{"--model", folderModel.string()},
       "unet/diffusion_pytorch_model.safetensors is a directory, not a file"},
      {{"cat"}, "unexpected argument 'cat'"},
      {{"--prompt", "a", "cat"}, "unexpected argument 'cat'"},
      {{"--threads", "100000"}, "100000 threads asked for; at most"},
      {{"-o", "/nonexistent/out.png"},
       "the output folder /nonexistent does not exist"},
      {{"-o", (output / "folder.png").string()},
       "folder.png is a directory; -o names the PNG file to write"},
      {{"--prompt-file", "/nonexistent.txt"},
       "cannot open /nonexistent.txt: No such file or directory"},
      {{"--negative-prompt-file", output.string()},
       output.string() + " is a directory, not a file"},
      {{"--prompt-file", longPrompt.string()},
       "long.txt has 20000 bytes; at most 16386 are read"},
      {{"--negative-prompt-file", badPrompt.string()},
       "bad.txt: the prompt is not valid UTF-8"},
      {{"--prompt", "(cat:1000)"}, "prompt weight 1000 is outside -100..100"},
      {{"--negative-prompt", std::string(1000, '(') + "cat"},
       "prompt brackets nest deeper than 64 levels"},
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

// Prompts from files (the trailing newline dropped), --rng in any case, and
// every batch's images written before the next batch starts.
TEST_F(AvilaRun, PromptFilesRngNamesAndImagesAsTheyAreDone) {
  std::ofstream(output / "prompt.txt") << "a (red:1.2) cube\n";
  std::ofstream(output / "negative.txt") << "blurry, low quality\r\n";
  std::vector<std::string> arguments = base();
  arguments.insert(arguments.end(),
                   {"--prompt-file", (output / "prompt.txt").string(),
                    "--negative-prompt-file",
                    (output / "negative.txt").string(), "--rng", "GPU",
                    "--seed", "4", "--steps", "2", "--width", "64", "--height",
                    "64", "--batch-count", "2"});
  const Outcome outcome = runAvilaRun(arguments);
  ASSERT_EQ(outcome.status, 0) << outcome.output;
  const GenerationParameters read = parametersFromInfotext(
      readPngText(output / "out-2.png").at("parameters"));
  EXPECT_EQ(read.prompt, "a (red:1.2) cube");
  EXPECT_EQ(read.negativePrompt, "blurry, low quality");
  EXPECT_EQ(read.rng, NoiseSource::TorchCuda);
  EXPECT_EQ(read.seed, 5);
  const size_t firstWritten =
      outcome.output.find("wrote " + (output / "out-1.png").string());
  const size_t secondBatch = outcome.output.find("batch 2/2");
  ASSERT_NE(firstWritten, std::string::npos) << outcome.output;
  ASSERT_NE(secondBatch, std::string::npos) << outcome.output;
  EXPECT_LT(firstWritten, secondBatch) << outcome.output;

  // The same request on the command line gives the same image.
  arguments.insert(arguments.end(),
                   {"--prompt", "a (red:1.2) cube", "--negative-prompt",
                    "blurry, low quality", "--rng", "cuda", "--batch-count",
                    "1", "--seed", "5", "-o",
                    (output / "inline.png").string()});
  ASSERT_EQ(runAvilaRun(arguments).status, 0);
  EXPECT_EQ(readImage(output / "inline.png").rgb,
            readImage(output / "out-2.png").rgb);
}

TEST_F(AvilaRun, MissingRequiredOptionsAreNamed) {
  const Outcome outcome = runAvilaRun({"--prompt", "x"});
  EXPECT_NE(outcome.status, 0);
  EXPECT_NE(
      outcome.output.find(
          "--artifact, --model and --prompt (or --prompt-file) are required"),
      std::string::npos);
  EXPECT_EQ(runAvilaRun({"--help"}).status, 0);
}

// --lora and a prompt's <lora:...> change the image the same way; a
// multiplier of 0 changes nothing; the infotext keeps the tag and names the
// hash; bad LoRAs and unknown names are one clear line.
TEST_F(AvilaRun, LorasFromTheCommandLineAndThePrompt) {
  const std::string key =
      "lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_v";
  fs::create_directories(output / "loras");
  const fs::path lora = output / "loras/style.safetensors";
  test::writeFloatTensors(
      lora, {test::drawnTensor(key + ".lora_down.weight", {2, 32}, 1),
             test::drawnTensor(key + ".lora_up.weight", {32, 2}, 2)});
  auto generate = [&](const std::vector<std::string> &extra,
                      const std::string &name) {
    std::vector<std::string> arguments = base();
    arguments.back() = (output / name).string();
    for (const char *argument : {"--seed", "3", "--steps", "2"})
      arguments.push_back(argument);
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const Outcome outcome = runAvilaRun(arguments);
    EXPECT_EQ(outcome.status, 0) << outcome.output;
    return output / name;
  };
  const fs::path plain = generate({"--prompt", "a cube"}, "plain.png");
  const fs::path flag = generate(
      {"--prompt", "a cube", "--lora", lora.string() + ":0.9"}, "flag.png");
  const fs::path tag = generate({"--prompt", "a cube <lora:style:0.9>",
                                 "--lora-dir", (output / "loras").string()},
                                "tag.png");
  const fs::path zero = generate(
      {"--prompt", "a cube", "--lora", lora.string() + ":0"}, "zero.png");
  EXPECT_NE(readImage(flag).rgb, readImage(plain).rgb);
  EXPECT_EQ(readImage(tag).rgb, readImage(flag).rgb);
  EXPECT_EQ(readImage(zero).rgb, readImage(plain).rgb);
  const std::string infotext = readPngText(tag).at("parameters");
  EXPECT_EQ(infotext.rfind("a cube <lora:style:0.9>\n", 0), 0u) << infotext;
  EXPECT_NE(infotext.find("Lora hashes: \"style: " +
                          addnetHash(lora).substr(0, 12) + "\""),
            std::string::npos)
      << infotext;

  const fs::path misfit = output / "misfit.safetensors";
  test::writeFloatTensors(
      misfit, {test::drawnTensor(key + ".lora_down.weight", {2, 768}, 1),
               test::drawnTensor(key + ".lora_up.weight", {32, 2}, 2)});
  for (const auto &[extra, message] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--lora", misfit.string()}, "do not fit unet weight"},
           {{"--lora", lora.string() + ":x"}, "expects a number"},
           {{"--prompt", "<lora:style>"}, "no --lora-dir was given"},
           {{"--prompt", "<lora:other>", "--lora-dir",
             (output / "loras").string()},
            "no LoRA named 'other'"}}) {
    std::vector<std::string> arguments = base();
    arguments.insert(arguments.end(), {"--prompt", "a cube"});
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const Outcome outcome = runAvilaRun(arguments);
    EXPECT_EQ(outcome.status, 1) << outcome.output;
    EXPECT_NE(outcome.output.find("avila-run: error: "), std::string::npos);
    EXPECT_NE(outcome.output.find(message), std::string::npos)
        << outcome.output;
  }
}

// A prompt word naming an embedding of --embeddings-dir stands for its
// vectors; unknown keys of a LoRA are warnings, not errors.
TEST_F(AvilaRun, EmbeddingsAndLoraWarnings) {
  fs::create_directories(output / "embeddings");
  test::writeFloatTensors(output / "embeddings/shiny.safetensors",
                          {test::drawnTensor("emb_params", {3, 32}, 4)});
  const fs::path lora = output / "odd.safetensors";
  test::writeFloatTensors(
      lora, {test::drawnTensor("lora_unet_nowhere.alpha", {}, 1)});
  std::vector<std::string> arguments = base();
  arguments.insert(arguments.end(), {"--prompt", "a shiny cube", "--steps", "2",
                                     "--seed", "3", "--lora", lora.string()});
  const Outcome text = runAvilaRun(arguments);
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("warning: LoRA " + lora.string() +
                             ": unknown key 'lora_unet_nowhere.alpha'"),
            std::string::npos)
      << text.output;
  const std::vector<uint8_t> asText = readImage(output / "out.png").rgb;
  arguments.insert(arguments.end(),
                   {"--embeddings-dir", (output / "embeddings").string()});
  const Outcome embedded = runAvilaRun(arguments);
  ASSERT_EQ(embedded.status, 0) << embedded.output;
  EXPECT_NE(readImage(output / "out.png").rgb, asText);
}

} // namespace
} // namespace avila
