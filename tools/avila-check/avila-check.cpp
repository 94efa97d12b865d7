//===- avila-check.cpp - Check the networks against golden data -----------===//
//
//   avila-check --model <checkpoint.safetensors | diffusers folder>
//               [--config <diffusers folder>] --cases <folder>
//
// Runs the text encoder, U-Net and VAE of a model on the inputs of a golden
// cases folder (cases.safetensors + cases.json, as ../shared/golden/ holds
// them) and prints, per case, the relative L2 error and PASS or FAIL. Exits 0
// only when every case that ran passed. The networks run on the reference
// interpreter.
//
//===----------------------------------------------------------------------===//

#include "compiler/interpreter/Interpreter.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"
#include "runtime/base/Difference.h"
#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"
#include "runtime/image/ResizeMode.h"
#include "runtime/pipeline/Pipeline.h"
#include "runtime/random/NoiseGenerator.h"
#include "runtime/text/ClipTokenizer.h"
#include "runtime/weights/Checkpoint.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;
using avila::Difference;
using avila::difference;
using avila::interp::ElementType;
using avila::interp::Tensor;

namespace {

struct Tolerances {
  double network; // relative L2 of each network output
  double latents; // relative L2 of a pipeline's final latents
  double image;   // largest absolute error of its image, in [0, 1]
};

// The bounds per precision of the kernels, in this one table. fp32: those of
// ../shared/golden/README.md, loose enough for honest reordering, tight
// enough that a regression shows (the x86 path is near 1e-6 on all of
// them). fp16: issue 11's, for f16 weights and activations (an f16 rounding
// is 5e-4 relative; the sampler compounds it over the steps).
Tolerances tolerancesFor(const std::string &precision) {
  if (precision == "fp32")
    return {1e-5, 1e-5, 1e-4};
  if (precision == "fp16")
    return {1e-2, 2e-2, 8.0 / 255};
  avila::fail("--precision must be fp32 or fp16, not '" + precision + "'");
}

struct Options {
  fs::path model, config, cases, artifact, tokenizer, initImage;
  std::string device = "auto";
  Tolerances tolerances = tolerancesFor("fp32");
  int expectPassed = -1; // any number when negative
};

const char *kUsage =
    "usage: avila-check --model <checkpoint.safetensors | diffusers folder>\n"
    "                   [--config <diffusers folder>] --cases <folder>\n"
    "                   [--artifact <file.avila>] [--device <name>]\n"
    "                   [--tokenizer <path>]\n"
    "                   [--precision fp32|fp16]\n"
    "                   [--tolerance <relative L2 of the networks>]\n"
    "                   [--expect-passed <n>] [--init-image <photo>]\n"
    "\n"
    "Runs the networks on a golden cases folder (cases.safetensors and\n"
    "cases.json) and reports the relative L2 error of each case.\n"
    "--config gives the diffusers folder whose config.json files describe a\n"
    "single-file checkpoint; without it the configuration is inferred from\n"
    "the checkpoint's tensor shapes (SD 1.x conventions).\n"
    "--artifact runs the compiled kernels of an artifact from avila-compile;\n"
    "without it the networks run on the reference interpreter.\n"
    "--device says where the artifact runs: auto (default: the device for\n"
    "its target), cpu, vulkan or vulkan:N (avila-run --list-devices).\n"
    "With --artifact the txt2img and img2img cases of cases.json run the\n"
    "whole pipeline (tokenizer, seeded noise, sampler, guidance, VAE):\n"
    "latents must agree to relative L2 < 1e-5, images to < 1e-4.\n"
    "--precision gives the tolerances of the artifact's precision: fp32\n"
    "(default; networks < 1e-5) or fp16 (networks < 1e-2, latents < 2e-2,\n"
    "images < 8/255). --tolerance then replaces the networks' bound.\n"
    "The exit status is 0 when no case failed, at least one passed and, with\n"
    "--expect-passed, exactly <n> passed (so that no case is lost unseen).\n"
    "--init-image starts the img2img cases from a photo, resized as the\n"
    "golden data was made (Pillow's bicubic), instead of the golden image\n"
    "tensor.\n"
    "--tokenizer gives the CLIP tokenizer (a diffusers tokenizer folder or\n"
    "bpe_simple_vocab_16e6.txt.gz); by default the one of the model or\n"
    "--config folder.\n";

Options parseOptions(int argc, char **argv) {
  Options options;
  std::string precision = "fp32";
  std::optional<double> networkTolerance;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (flag.rfind("--", 0) != 0)
      avila::fail("unexpected argument '" + flag + "'\n" + kUsage);
    if (i + 1 >= argc)
      avila::fail("missing value for " + flag + "\n" + kUsage);
    const std::string value = argv[++i];
    if (flag == "--model")
      options.model = value;
    else if (flag == "--config")
      options.config = value;
    else if (flag == "--cases")
      options.cases = value;
    else if (flag == "--artifact")
      options.artifact = value;
    else if (flag == "--device")
      options.device = value;
    else if (flag == "--tokenizer")
      options.tokenizer = value;
    else if (flag == "--init-image")
      options.initImage = value;
    else if (flag == "--precision")
      precision = value;
    else if (flag == "--tolerance") {
      char *end = nullptr;
      networkTolerance = std::strtod(value.c_str(), &end);
      if (*end || !(*networkTolerance > 0))
        avila::fail("--tolerance must be a positive number");
    } else if (flag == "--expect-passed") {
      char *end = nullptr;
      const long count = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || count < 1 || count > 1000)
        avila::fail("--expect-passed must be a count from 1 to 1000");
      options.expectPassed = static_cast<int>(count);
    } else
      avila::fail("unknown option '" + flag + "'\n" + kUsage);
  }
  if (options.model.empty() || options.cases.empty())
    avila::fail(std::string("--model and --cases are required\n") + kUsage);
  options.tolerances = tolerancesFor(precision);
  if (networkTolerance)
    options.tolerances.network = *networkTolerance;
  return options;
}

const avila::TensorEntry &goldenEntry(const avila::SafetensorsFile &cases,
                                      const std::string &key) {
  const avila::TensorEntry *entry = cases.find(key);
  if (!entry)
    avila::fail(cases.path().string() + " has no tensor '" + key + "'");
  return *entry;
}

std::vector<float> goldenFloats(const avila::SafetensorsFile &cases,
                                const std::string &key) {
  return avila::readFloats(goldenEntry(cases, key));
}

// A golden tensor as an interpreter tensor: F32 data, I32 ids.
Tensor golden(const avila::SafetensorsFile &cases, const std::string &key,
              ElementType as) {
  const avila::TensorEntry *entry = &goldenEntry(cases, key);
  std::vector<float> values;
  if (entry->dtype == avila::DType::I32) {
    values.resize(entry->numElements());
    for (size_t i = 0; i < values.size(); ++i) {
      int32_t id;
      std::memcpy(&id, entry->bytes.data() + 4 * i, sizeof(id));
      values[i] = static_cast<float>(id);
    }
  } else {
    values = avila::readFloats(*entry);
  }
  if (avila::interp::isFloat(as))
    return Tensor::fromFloats(as, entry->shape, std::move(values));
  return Tensor::fromInts(as, entry->shape,
                          std::vector<int64_t>(values.begin(), values.end()));
}

double relativeL2(const Tensor &actual, const Tensor &expected) {
  if (actual.shape != expected.shape)
    return INFINITY;
  return avila::relativeL2(actual.floats, expected.floats);
}

// Python's json module writes NaN, Infinity and -Infinity, which JSON lacks;
// they become null (cases.json has them in scheduler settings).
nlohmann::json readPythonJson(const fs::path &path) {
  std::ifstream stream(path);
  const std::string text((std::istreambuf_iterator<char>(stream)),
                         std::istreambuf_iterator<char>());
  std::string clean;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      clean += c;
      if (c == '\\' && i + 1 < text.size())
        clean += text[++i];
      else if (c == '"')
        inString = false;
      continue;
    }
    inString = c == '"';
    bool replaced = false;
    for (const char *token : {"-Infinity", "Infinity", "NaN"})
      if (!replaced && text.compare(i, strlen(token), token) == 0) {
        clean += "null";
        i += strlen(token) - 1;
        replaced = true;
      }
    if (!replaced)
      clean += c;
  }
  return nlohmann::json::parse(clean, nullptr, /*allow_exceptions=*/false);
}

// Runs an entry point of a compiled artifact on interpreter tensors.
llvm::Expected<std::vector<Tensor>>
runCompiled(avila::Executable &executable, const std::string &entry,
            const std::vector<Tensor> &inputs) {
  std::vector<avila::HostTensor> hostInputs;
  for (const Tensor &input : inputs) {
    avila::HostTensor host;
    host.shape = input.shape;
    if (avila::interp::isFloat(input.elementType)) {
      host.floats = input.floats;
    } else {
      host.elementType = avila::artifact::ElementType::I32;
      host.ids.assign(input.ints.begin(), input.ints.end());
    }
    hostInputs.push_back(std::move(host));
  }
  std::vector<Tensor> results;
  for (avila::HostTensor &output : executable.run(entry, hostInputs))
    results.push_back(Tensor::fromFloats(ElementType::F32, output.shape,
                                         std::move(output.floats)));
  return results;
}

// A pipeline case of cases.json run end to end on the compiled networks:
// the prompts through the tokenizer and text encoder, the initial noise
// from the torch-compatible generator (txt2img: seed 1234, as the golden
// noise was drawn), the sampler with guidance, the VAE decoder.
struct PipelineResult {
  std::string problem; // empty when it ran
  Difference latents, image;
};

PipelineResult runPipelineCase(avila::Pipeline &pipeline,
                               const Options &options,
                               const nlohmann::json &pipelineCase,
                               const avila::SafetensorsFile &cases,
                               const std::vector<int64_t> &latentShape) {
  PipelineResult result;
  const std::string name = pipelineCase.value("name", "");
  const bool img2img = name.starts_with("img2img.");
  const avila::HostTensor cond =
      pipeline.encodePrompt(pipelineCase.value("prompt", ""));
  const avila::HostTensor uncond =
      pipeline.encodePrompt(pipelineCase.value("negative_prompt", ""));
  for (const auto &[tensor, key] : {std::pair{&cond, "txt2img.ctx_cond"},
                                    std::pair{&uncond, "txt2img.ctx_uncond"}})
    if (!(avila::relativeL2(tensor->floats, goldenFloats(cases, key)) <
          options.tolerances.network))
      result.problem = std::string("the text embedding differs from ") + key;

  const std::string prefix = name + ".";
  auto sampler = avila::makeSampler(
      avila::parseSamplerName(pipelineCase.value("scheduler", "")),
      pipelineCase.value("steps", 0), avila::NoiseSchedule());
  avila::HostTensor latents;
  latents.shape = latentShape;
  size_t first = 0;
  if (img2img) {
    avila::HostTensor image;
    image.shape = {1, 3, latentShape[2] * 8, latentShape[3] * 8};
    // The golden init image is the photo resized with Pillow's bicubic.
    image.floats =
        options.initImage.empty()
            ? goldenFloats(cases, "vae.encode.image")
            : avila::imageToTensor(avila::resizeImage(
                  avila::readImage(options.initImage), image.shape[3],
                  image.shape[2], avila::ResizeMode::Just,
                  avila::ResizeFilter::Bicubic));
    latents.floats = pipeline.encode(image).floats;
    first = sampler->firstEvaluationFor(pipelineCase.value("strength", 1.0));
    sampler->addNoise(latents.floats, goldenFloats(cases, prefix + "noise"),
                      first);
  } else {
    const std::vector<float> golden = goldenFloats(cases, "txt2img.noise");
    latents.floats =
        avila::makeNoiseGenerator(avila::NoiseSource::TorchCpu, 1234)
            ->randn(golden.size());
    if (difference(latents.floats, golden).maxAbs != 0)
      result.problem = "seed 1234 does not give the golden noise";
    for (float &value : latents.floats)
      value *= static_cast<float>(sampler->initialNoiseScale());
  }
  // The stochastic samplers draw from a torch CPU generator seeded 99.
  auto stepNoise = avila::makeNoiseGenerator(avila::NoiseSource::TorchCpu, 99);
  const avila::TensorEntry *traceEntry = cases.find(prefix + "trace");
  const std::vector<float> trace =
      traceEntry ? avila::readFloats(*traceEntry) : std::vector<float>();
  pipeline.denoise(
      *sampler, first, latents, cond, uncond,
      pipelineCase.value("cfg_scale", 7.5), *stepNoise, [&](int step) {
        if (trace.empty())
          return true;
        const size_t size = latents.floats.size();
        if (!(avila::relativeL2(latents.floats, std::span(trace).subspan(
                                                    (step - 1) * size, size)) <
              options.tolerances.latents))
          result.problem =
              "step " + std::to_string(step) + " differs from the golden trace";
        return true;
      });
  result.latents =
      difference(latents.floats, goldenFloats(cases, prefix + "latents"));
  result.image = difference(pipeline.decode(latents).floats,
                            goldenFloats(cases, prefix + "image"));
  return result;
}

struct NetworkCase {
  const char *name;
  const char *function;
  avila::Component component;
  std::vector<std::pair<const char *, ElementType>> inputs;
  std::vector<const char *> expected;
};

const std::vector<NetworkCase> kNetworkCases = {
    {"text_encoder",
     "text_encoder",
     avila::Component::TextEncoder,
     {{"tokenizer.ids", ElementType::I32}},
     {"text_encoder.last_hidden_state"}},
    {"unet",
     "unet",
     avila::Component::UNet,
     {{"unet.sample", ElementType::F32},
      {"unet.timesteps", ElementType::F32},
      {"unet.context", ElementType::F32}},
     {"unet.eps"}},
    {"vae.decode",
     "vae_decoder",
     avila::Component::Vae,
     {{"vae.decode.latent", ElementType::F32}},
     {"vae.decode.image"}},
    {"vae.encode",
     "vae_encoder",
     avila::Component::Vae,
     {{"vae.encode.image", ElementType::F32}},
     {"vae.encode.mean", "vae.encode.std"}},
};

avila::models::ModelConfig loadConfig(const Options &options,
                                      const avila::Checkpoint &checkpoint) {
  if (!options.config.empty())
    return avila::models::readDiffusersConfig(options.config);
  if (checkpoint.layout() == avila::Checkpoint::Layout::Diffusers)
    return avila::models::readDiffusersConfig(checkpoint.path());
  return avila::models::inferLdmConfig(checkpoint.singleFileShapes());
}

int run(const Options &options) {
  avila::Checkpoint checkpoint(options.model);
  const avila::models::ModelConfig config = loadConfig(options, checkpoint);
  if (checkpoint.layout() == avila::Checkpoint::Layout::SingleFile) {
    const auto shapes = checkpoint.singleFileShapes();
    checkpoint.setKeyTranslator(avila::models::LdmNames(
        config, shapes.count("cond_stage_model.transformer.text_model."
                             "embeddings.token_embedding.weight") != 0));
  }
  avila::SafetensorsFile cases(options.cases / "cases.safetensors");
  std::unique_ptr<avila::Executable> executable;
  if (!options.artifact.empty()) {
    executable = std::make_unique<avila::Executable>(
        avila::Artifact::load(options.artifact), 0, options.device);
    executable->bindWeights(checkpoint);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      avila::models::buildNetworksModule(context, config);
  if (!module)
    avila::fail("the model graphs do not verify (a bug)");

  int passed = 0, failed = 0, skipped = 0;
  for (const NetworkCase &networkCase : kNetworkCases) {
    if (!cases.find(networkCase.expected.front())) {
      ++skipped;
      continue;
    }
    std::vector<Tensor> inputs;
    for (const auto &[key, type] : networkCase.inputs)
      inputs.push_back(golden(cases, key, type));
    avila::interp::WeightProvider weights =
        [&](llvm::StringRef name, const avila::interp::Shape &shape,
            ElementType type) -> llvm::Expected<Tensor> {
      try {
        return Tensor::fromFloats(
            type, shape,
            checkpoint.readWeight(networkCase.component, name.str(), shape));
      } catch (const avila::Error &error) {
        return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                       error.what());
      }
    };
    const auto start = std::chrono::steady_clock::now();
    llvm::Expected<std::vector<Tensor>> outputs =
        executable
            ? runCompiled(*executable, networkCase.function, inputs)
            : avila::interp::interpret(module->lookupSymbol<mlir::func::FuncOp>(
                                           networkCase.function),
                                       inputs, weights);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!outputs)
      avila::fail(std::string(networkCase.name) + ": " +
                  llvm::toString(outputs.takeError()));
    double worst = 0;
    for (size_t i = 0; i < networkCase.expected.size(); ++i)
      worst = std::max(worst, relativeL2((*outputs)[i],
                                         golden(cases, networkCase.expected[i],
                                                ElementType::F32)));
    const bool ok = worst < options.tolerances.network;
    (ok ? passed : failed)++;
    std::printf("%s  %-22s relative L2 %.3e  (%.1f s)\n", ok ? "PASS" : "FAIL",
                networkCase.name, worst, seconds);
  }

  nlohmann::json described = readPythonJson(options.cases / "cases.json");
  const nlohmann::json pipelineCases =
      described.is_object() && described["cases"].is_array()
          ? described["cases"]
          : nlohmann::json::array();
  std::optional<avila::ClipTokenizer> tokenizer;
  std::unique_ptr<avila::Pipeline> pipeline;
  if (executable && !pipelineCases.empty()) {
    tokenizer = avila::ClipTokenizer::locate(
        options.tokenizer,
        options.config.empty() ? options.model : options.config);
    pipeline = std::make_unique<avila::Pipeline>(*executable, *tokenizer);
  }
  const auto latentSize =
      described.value("latent_hw", std::vector<int64_t>{0, 0});
  const std::vector<int64_t> latentShape = {1, 4, latentSize.at(0),
                                            latentSize.at(1)};
  for (const auto &pipelineCase : pipelineCases) {
    const std::string name = pipelineCase.value("name", "?");
    if (!pipeline) {
      std::printf("SKIP  %-22s needs --artifact\n", name.c_str());
      ++skipped;
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    const PipelineResult result =
        runPipelineCase(*pipeline, options, pipelineCase, cases, latentShape);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    const bool ok = result.problem.empty() &&
                    result.latents.relativeL2 < options.tolerances.latents &&
                    result.image.maxAbs < options.tolerances.image;
    (ok ? passed : failed)++;
    std::printf("%s  %-22s latents relative L2 %.3e, image max error "
                "%.3e  (%.1f s)%s%s\n",
                ok ? "PASS" : "FAIL", name.c_str(), result.latents.relativeL2,
                result.image.maxAbs, seconds,
                result.problem.empty() ? "" : ": ", result.problem.c_str());
  }
  std::printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
  if (options.expectPassed >= 0 && passed != options.expectPassed) {
    std::printf("expected %d cases to pass\n", options.expectPassed);
    return 1;
  }
  return failed == 0 && passed > 0 ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "avila-check: error: %s\n", error.what());
    return 1;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-check: error: %s\n", error.what());
    return 1;
  }
}
