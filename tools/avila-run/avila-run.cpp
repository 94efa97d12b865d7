//===- avila-run.cpp - Generate images from the command line --------------===//
//
// Loads a compiled artifact and a checkpoint, generates images (txt2img, or
// img2img with --init-image) and writes PNG files that carry A1111's
// `parameters` text. `avila-run --help` documents every option.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/base/ParseNumber.h"
#include "runtime/base/ReadOnlyFile.h"
#include "runtime/hal/OpenDevice.h"
#include "runtime/image/Png.h"
#include "runtime/pipeline/LoadedModel.h"
#include "runtime/text/PromptLoras.h"
#include "tools/avila-run/ProgressBar.h"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <random>
#include <type_traits>
#include <unistd.h>
#include <variant>

namespace fs = std::filesystem;

namespace {

const char *kUsage =
    R"(usage: avila-run --artifact <file.avila> --model <checkpoint> --prompt <text>
                 [options]

Generates images with Stable Diffusion 1.x on the CPU or a Vulkan GPU.

  --artifact <file>         the compiled networks (from avila-compile)
  --model <path>            the weights: a .safetensors checkpoint (the
                            original single-file layout) or a diffusers folder
  --vae <path>              decode (and encode) with this VAE instead of the
                            checkpoint's: a .safetensors file with
                            first_stage_model. keys, a bare VAE file (such as
                            vae-ft-mse-840000-ema-pruned.safetensors), or a
                            diffusers vae/ folder
  --prompt <text>           what to draw; A1111 syntax: (word:1.3), (word),
                            [word], BREAK, <lora:name:0.8> (a LoRA of
                            --lora-dir; <lora:name:te:unet> for separate
                            multipliers); longer than 75 tokens is fine
  --negative-prompt <text>  what to steer away from (default: empty)
  --prompt-file <file>, --negative-prompt-file <file>
                            the same, read from a UTF-8 text file (at most
                            16 KiB; a trailing newline is dropped)
  --steps <n>               denoising steps (default 20)
  --cfg-scale <x>           guidance strength, 0..100 (default 7.5)
  --sampler <name>          euler_a (default), euler, ddim, dpmpp_2m,
                            dpmpp_2m_karras, pndm, heun, unipc, lcm, ... or
                            A1111 names such as "Euler a", "DPM++ 2M Karras"
  --scheduler <name>        the σ spacing of euler, euler_a, heun and
                            dpmpp_2m, as A1111 names them: automatic
                            (default: the sampler's own), uniform, karras,
                            exponential, polyexponential, sgm_uniform,
                            kl_optimal, simple, normal, ddim, beta; a
                            sampler named with Karras keeps Karras
  --clip-skip <n>           condition on the text encoder's hidden state
                            n - 1 layers before the last, through its final
                            layer norm, as A1111's "Clip skip" (default 1)
  --seed <n>                -1 (default) picks a random seed and prints it;
                            image i of a run uses seed + i
  --subseed <n>, --subseed-strength <x>
                            A1111's variation seed: the noise is slerped
                            x (0..1, default 0: off) of the way toward the
                            subseed's; then every image keeps the seed and
                            image i uses subseed + i (-1, default: random)
  --seed-resize-from-w <n>, --seed-resize-from-h <n>
                            make the seed's noise for an image of this size
                            and paste it centred, as A1111's "resize seed
                            from" does (default -1: off)
  --rng cpu|cuda            whose noise a seed gives: torch's CPU generator
                            (diffusers' default, the default here) or its
                            CUDA generator (the A1111 web UI's seeds; "gpu"
                            is the same); any letter case
  --width <n>, --height <n> image size, multiples of 8 (default 512x512)
  --batch-size <n>          images per U-Net batch (default 1)
  --batch-count <n>         batches, one after another (default 1)
  --init-image <file>       img2img: start from this PNG or JPEG (resized to
                            the requested size)
  --strength <x>            img2img: 0 keeps the image, 1 ignores it
                            (default 0.75)
  --resize-mode <mode>      img2img: how the image is made the requested
                            size, as in the A1111 web UI: just (0, default:
                            stretched), crop (1: scaled to cover, centred,
                            cut), fill (2: scaled to fit, centred, edges
                            stretched into the bands)
  --resize-filter <name>    img2img: lanczos (default) or bicubic, the
                            Pillow filters
  --lora <file>[:<m>]       merge a LoRA file into the weights with
                            multiplier m (default 1, negative allowed);
                            repeatable. kohya, LyCORIS LoCon, diffusers/PEFT
                            and cloneofsimo files
  --lora-dir <folder>       the LoRA files prompts name as <lora:name:m>
                            (name: the file name without .safetensors)
  --embeddings-dir <folder> textual-inversion embeddings (.safetensors): a
                            prompt word equal to a file's name (or a token
                            of a cloneofsimo file, such as <s1>) stands for
                            its vectors
  --tokenizer <path>        CLIP tokenizer: a diffusers tokenizer folder or
                            bpe_simple_vocab_16e6.txt.gz; found by itself in
                            a diffusers model folder (see docs/generation.md)
  --device <name>           where the networks run: auto (default: the
                            device for the artifact's target), cpu, vulkan
                            (the first discrete GPU, else the first Vulkan
                            device) or vulkan:N (see --list-devices)
  --list-devices            list this machine's devices and exit
  --threads <n>             CPU threads (default: all; at most 4 per
                            hardware thread)
  -o, --output <file.png>   where to write (default avila.png); several
                            images become <name>-1.png, <name>-2.png, ...,
                            each written as soon as it is done; the folder
                            must exist
  -h, --help                this text

Example:
  avila-run --artifact sd15.avila --model v1-5-pruned-emaonly.safetensors \
    --prompt "a photograph of an astronaut riding a horse" --seed 42
)";

struct Options {
  avila::GenerationParameters parameters;
  fs::path artifact, model, tokenizer, vae, initImage, output = "avila.png";
  fs::path loraDir, embeddingsDir;
  std::vector<avila::LoraChoice> loras;
  std::string device = "auto";
  avila::Schedule scheduler = avila::Schedule::Automatic;
  unsigned threads = 0;
  bool promptGiven = false;
  bool strengthGiven = false;
  bool resizeGiven = false;
};

// A prompt too long for a command line: bounded, UTF-8 as prompts must be,
// without the newline editors end a file with.
std::string readPromptFile(const fs::path &path) {
  std::string text =
      avila::readFile(path, avila::Pipeline::kMaxPromptBytes + 2);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  try {
    avila::normalizePromptText(text);
  } catch (const avila::Error &error) {
    avila::fail(path.string() + ": " + error.what());
  }
  return text;
}

// The flags that set one number of the generation parameters.
using NumberField = std::variant<int avila::GenerationParameters::*,
                                 int64_t avila::GenerationParameters::*,
                                 double avila::GenerationParameters::*>;
const std::map<std::string, NumberField> kNumberFlags = {
    {"--steps", &avila::GenerationParameters::steps},
    {"--cfg-scale", &avila::GenerationParameters::cfgScale},
    {"--seed", &avila::GenerationParameters::seed},
    {"--clip-skip", &avila::GenerationParameters::clipSkip},
    {"--subseed", &avila::GenerationParameters::subseed},
    {"--subseed-strength", &avila::GenerationParameters::subseedStrength},
    {"--seed-resize-from-w", &avila::GenerationParameters::seedResizeFromWidth},
    {"--seed-resize-from-h",
     &avila::GenerationParameters::seedResizeFromHeight},
    {"--width", &avila::GenerationParameters::width},
    {"--height", &avila::GenerationParameters::height},
    {"--batch-size", &avila::GenerationParameters::batchSize},
    {"--batch-count", &avila::GenerationParameters::batchCount},
};

Options parseOptions(int argc, char **argv) {
  Options options;
  avila::GenerationParameters &p = options.parameters;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (flag == "--list-devices") {
      for (const std::string &line : avila::hal::listDevices())
        std::cout << line << "\n";
      std::exit(0);
    }
    if (!flag.starts_with("-"))
      avila::fail("unexpected argument '" + flag +
                  "' (a prompt with spaces needs quotes; see --help)");
    if (i + 1 >= argc)
      avila::fail("missing value for " + flag + " (see --help)");
    const std::string value = argv[++i];
    if (const auto field = kNumberFlags.find(flag); field != kNumberFlags.end())
      std::visit(
          [&](auto member) {
            using Number = std::remove_reference_t<decltype(p.*member)>;
            p.*member = avila::parseNumber<Number>(flag, value);
          },
          field->second);
    else if (flag == "--artifact")
      options.artifact = value;
    else if (flag == "--model")
      options.model = value;
    else if (flag == "--tokenizer")
      options.tokenizer = value;
    else if (flag == "--vae")
      options.vae = value;
    else if (flag == "--prompt") {
      p.prompt = value;
      options.promptGiven = true;
    } else if (flag == "--prompt-file") {
      p.prompt = readPromptFile(value);
      options.promptGiven = true;
    } else if (flag == "--negative-prompt")
      p.negativePrompt = value;
    else if (flag == "--negative-prompt-file")
      p.negativePrompt = readPromptFile(value);
    else if (flag == "--sampler")
      p.sampler = avila::parseSamplerName(value);
    else if (flag == "--scheduler")
      options.scheduler = avila::parseScheduleName(value);
    else if (flag == "--rng") {
      if (!avila::parseNoiseSource(value, p.rng))
        avila::fail("--rng is cpu or cuda (or gpu), not '" + value + "'");
    } else if (flag == "--init-image")
      options.initImage = value;
    else if (flag == "--strength") {
      p.strength = avila::parseNumber<double>(flag, value);
      options.strengthGiven = true;
    } else if (flag == "--resize-mode") {
      if (!avila::parseResizeMode(value, p.resizeMode))
        avila::fail("--resize-mode is just, crop or fill (or 0, 1, 2), not '" +
                    value + "'");
      options.resizeGiven = true;
    } else if (flag == "--resize-filter") {
      if (!avila::parseResizeFilter(value, p.resizeFilter))
        avila::fail("--resize-filter is lanczos or bicubic, not '" + value +
                    "'");
      options.resizeGiven = true;
    } else if (flag == "--lora")
      options.loras.push_back(avila::parseLoraArgument(value));
    else if (flag == "--lora-dir")
      options.loraDir = value;
    else if (flag == "--embeddings-dir")
      options.embeddingsDir = value;
    else if (flag == "--device")
      options.device = value;
    else if (flag == "--threads")
      options.threads = avila::parseNumber<unsigned>(flag, value);
    else if (flag == "-o" || flag == "--output")
      options.output = value;
    else
      avila::fail("unknown option " + flag + " (see --help)");
  }
  if (options.artifact.empty() || options.model.empty() || !options.promptGiven)
    avila::fail("--artifact, --model and --prompt (or --prompt-file) are "
                "required (see --help)");
  p.sampler = avila::withSchedule(p.sampler, options.scheduler);
  if (options.strengthGiven && options.initImage.empty())
    avila::fail("--strength applies to img2img: give --init-image too");
  if (options.resizeGiven && options.initImage.empty())
    avila::fail("--resize-mode and --resize-filter apply to img2img: give "
                "--init-image too");
  if (options.output.extension() != ".png")
    avila::fail("the output file must end in .png: " + options.output.string());
  return options;
}

// Checked before anything is generated: a run of many images must not end
// with nowhere to put them.
void requireWritableOutput(const fs::path &output) {
  std::error_code error;
  if (fs::is_directory(output, error))
    avila::fail(output.string() +
                " is a directory; -o names the PNG file to write");
  const fs::path folder =
      output.has_parent_path() ? output.parent_path() : fs::path(".");
  const fs::file_status status = fs::status(folder, error);
  if (status.type() == fs::file_type::not_found)
    avila::fail("the output folder " + folder.string() + " does not exist");
  if (!fs::is_directory(status))
    avila::fail("the output folder " + folder.string() +
                (error ? " cannot be reached: " + error.message()
                       : " is not a folder"));
  if (::access(folder.c_str(), W_OK) != 0)
    avila::fail("the output folder " + folder.string() +
                " is not writable: " + std::strerror(errno));
}

fs::path outputPath(const fs::path &output, size_t index, size_t count) {
  if (count == 1)
    return output;
  fs::path numbered = output;
  numbered.replace_filename(output.stem().string() + "-" +
                            std::to_string(index + 1) + ".png");
  return numbered;
}

int run(const Options &options) {
  requireWritableOutput(options.output);
  std::optional<avila::Image> initImage;
  if (!options.initImage.empty())
    initImage = avila::readImage(options.initImage);
  avila::LoadedModel model(options.artifact, options.model, options.tokenizer,
                           options.threads, options.device);
  avila::Pipeline &pipeline = model.pipeline();
  model.useVae(options.vae);

  avila::GenerationParameters parameters = options.parameters;
  parameters.modelName = model.name();
  std::vector<std::string> warnings;
  if (!options.embeddingsDir.empty())
    model.loadEmbeddings(options.embeddingsDir, warnings);
  std::vector<avila::LoraChoice> loras = options.loras;
  const std::vector<avila::PromptLora> named =
      avila::extractLoras(parameters.prompt).loras;
  if (!named.empty()) {
    if (options.loraDir.empty())
      avila::fail("the prompt names LoRAs (<lora:...>) but no --lora-dir "
                  "was given");
    const std::vector<avila::LoraChoice> found =
        avila::LoraLibrary(options.loraDir).resolve(named);
    loras.insert(loras.end(), found.begin(), found.end());
  }
  // LoRA files are read (and checked against the model) before the weights.
  parameters.loraHashes = model.useLoras(loras, warnings);
  for (const std::string &warning : warnings)
    std::fprintf(stderr, "avila-run: warning: %s\n", warning.c_str());
  // Bad requests fail before the weights (gigabytes) are read.
  pipeline.validate(parameters, initImage);
  if (parameters.seed < 0) {
    parameters.seed = std::random_device()() & 0xffffffffu;
    std::fprintf(stderr, "seed %lld\n",
                 static_cast<long long>(parameters.seed));
  }
  model.bindWeights();

  avila::ProgressBar bar(stderr);
  const size_t count =
      static_cast<size_t>(parameters.batchSize) * parameters.batchCount;
  size_t written = 0;
  pipeline.generate(
      parameters, initImage,
      [&](const avila::GeneratedImage &image) {
        const fs::path path = outputPath(options.output, written++, count);
        avila::writePng(path, image.image, {{"parameters", image.infotext}});
        std::printf("wrote %s (seed %lld)\n", path.c_str(),
                    static_cast<long long>(image.seed));
        std::fflush(stdout);
      },
      [&](const avila::Progress &progress) {
        bar.update(progress);
        return true;
      });
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-run: error: %s\n", error.what());
    return 1;
  }
}
