//===- avila-compile.cpp - Compile SD 1.x networks into an artifact -------===//
//
//   avila-compile sd15 --target x86 -o sd15.x86.avila
//   avila-compile <diffusers folder | checkpoint.safetensors> -o model.avila
//   avila-compile model.safetensors --config <diffusers folder> -o model.avila
//   avila-compile sd15 --compile-to=dispatch      (print the IR and stop)
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/phases/Phases.h"
#include "compiler/targets/TargetFlags.h"
#include "compiler/targets/TargetRegistry.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"
#include "runtime/base/Error.h"
#include "runtime/weights/Checkpoint.h"
#include "tools/avila-compile/ProgressDisplay.h"

#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

namespace fs = std::filesystem;

namespace {

std::string usage(const avila::TargetFlags &targetFlags) {
  std::string text =
      "usage: avila-compile <model> [--config <diffusers folder>] "
      "[--target <target>]\n"
      "                     [--precision fp32|fp16] [--device-profile <name>]\n"
      "                     [-o <file.avila>]\n"
      "                     [--compile-to=<phase>] [--quiet]\n"
      "\n"
      "<model> is 'sd15' (the Stable Diffusion 1.5 architecture), a diffusers\n"
      "folder (its config.json files), or a single-file .safetensors "
      "checkpoint\n"
      "(configuration inferred from its tensor shapes, or read from the\n"
      "diffusers folder --config names: the folder, its model_index.json or\n"
      "a component's config.json). The artifact serves every checkpoint of\n"
      "that architecture; it holds no weights.\n" +
      targetFlags.usage() +
      "Progress goes to stderr; --quiet keeps it silent.\n"
      "--compile-to prints the IR after the named phase instead:\n";
  for (const std::string &name : avila::targetBackendNames()) {
    text += "for --target " + name + ":\n";
    const auto phases = avila::allPhases(*avila::targetBackend(name));
    size_t width = 0;
    for (const avila::PhaseInfo &phase : phases)
      width = std::max(width, std::string(phase.name).size());
    for (const avila::PhaseInfo &phase : phases)
      text += "  " + std::string(phase.name) +
              std::string(width + 2 - std::string(phase.name).size(), ' ') +
              phase.description + "\n";
  }
  return text;
}

struct Options {
  std::string model, config, output = "model.avila";
  avila::TargetFlags targetFlags;
  std::optional<std::string> phase;
  std::unique_ptr<avila::TargetBackend> target;
  bool quiet = false;
};

Options parse(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage(options.targetFlags);
      std::exit(0);
    }
    if (arg.rfind("--compile-to=", 0) == 0) {
      options.phase = arg.substr(13);
      continue;
    }
    if (arg == "--quiet") {
      options.quiet = true;
      continue;
    }
    auto targetFlag = options.targetFlags.consume(argc, argv, i);
    if (!targetFlag)
      avila::fail(llvm::toString(targetFlag.takeError()));
    if (*targetFlag)
      continue;
    if (arg == "-o" || arg == "--config") {
      if (i + 1 >= argc)
        avila::fail("missing value for " + arg);
      (arg == "-o" ? options.output : options.config) = argv[++i];
      continue;
    }
    if (arg[0] == '-')
      avila::fail("unknown option '" + arg + "'\n" +
                  usage(options.targetFlags));
    if (!options.model.empty())
      avila::fail("unexpected argument '" + arg + "' (the model is '" +
                  options.model + "')");
    options.model = arg;
  }
  if (options.model.empty())
    avila::fail("no model given\n" + usage(options.targetFlags));
  auto configured = options.targetFlags.configure();
  if (!configured)
    avila::fail(llvm::toString(configured.takeError()));
  options.target = std::move(*configured);
  // Even with --quiet: it says which device the artifact is made for.
  if (const std::string detected = options.targetFlags.detectedProfile();
      !detected.empty())
    std::fprintf(stderr, "%s\n", detected.c_str());
  if (options.phase && llvm::none_of(avila::allPhases(*options.target),
                                     [&](const avila::PhaseInfo &info) {
                                       return *options.phase == info.name;
                                     }))
    avila::fail("unknown phase '" + *options.phase + "' for target " +
                options.targetFlags.target() + "\n" +
                usage(options.targetFlags));
  return options;
}

avila::models::ModelConfig loadConfig(const Options &options,
                                      bool &textModelLevel) {
  textModelLevel = true;
  const std::string &model = options.model;
  if (model == "sd15" && !fs::exists(model))
    return options.config.empty()
               ? avila::models::ModelConfig()
               : avila::models::readDiffusersConfig(options.config);
  std::error_code error;
  if (!fs::exists(model, error))
    avila::fail("no such file or folder: " + model);
  if (fs::is_directory(model, error))
    return avila::models::readDiffusersConfig(
        options.config.empty() ? model : options.config);
  avila::Checkpoint checkpoint(model);
  auto shapes = checkpoint.singleFileShapes();
  textModelLevel = shapes.count("cond_stage_model.transformer.text_model."
                                "embeddings.token_embedding.weight") != 0;
  if (!options.config.empty())
    return avila::models::readDiffusersConfig(options.config);
  return avila::models::inferLdmConfig(shapes);
}

int run(const Options &options) {
  std::optional<avila::ProgressDisplay> display;
  if (!options.quiet)
    display.emplace(stderr);
  avila::ProgressCallback progress;
  if (display)
    progress = [&](const avila::CompileProgress &update) {
      display->update(update);
    };

  bool textModelLevel = true;
  const avila::models::ModelConfig config = loadConfig(options, textModelLevel);
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      avila::models::buildNetworksModule(context, config);
  if (!module)
    avila::fail("the model graphs do not verify (a bug)");

  if (options.phase) {
    auto lowered =
        avila::lowerTo(*module, *options.target, *options.phase, progress);
    if (!lowered)
      avila::fail(llvm::toString(lowered.takeError()));
    display.reset();
    (*lowered)->print(llvm::outs());
    return 0;
  }

  avila::ArtifactOptions artifactOptions;
  artifactOptions.progress = progress;
  artifactOptions.components = {{"text_encoder", "text_encoder"},
                                {"text_encoder_layers", "text_encoder"},
                                {"unet", "unet"},
                                {"vae_decoder", "vae"},
                                {"vae_encoder", "vae"}};
  avila::models::LdmNames names(config, textModelLevel);
  artifactOptions.singleFileKey = [&](const std::string &component,
                                      const std::string &name) {
    return names(component == "unet"           ? avila::Component::UNet
                 : component == "text_encoder" ? avila::Component::TextEncoder
                                               : avila::Component::Vae,
                 name);
  };
  auto bytes = avila::buildArtifact(*module, *options.target, artifactOptions);
  display.reset();
  if (!bytes)
    avila::fail(llvm::toString(bytes.takeError()));
  std::ofstream out(options.output, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes->data()),
            static_cast<std::streamsize>(bytes->size()));
  if (!out)
    avila::fail("cannot write " + options.output);
  std::printf("wrote %s (%zu bytes)\n", options.output.c_str(), bytes->size());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-compile: error: %s\n", error.what());
    return 1;
  }
}
