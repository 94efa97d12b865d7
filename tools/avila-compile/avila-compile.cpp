//===- avila-compile.cpp - Compile SD 1.x networks into an artifact -------===//
//
//   avila-compile sd15 --target x86 -o sd15.x86.avila
//   avila-compile <diffusers folder | checkpoint.safetensors> -o model.avila
//   avila-compile sd15 --compile-to=dispatch      (print the IR and stop)
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/transforms/Passes.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"
#include "runtime/base/Error.h"
#include "runtime/weights/Checkpoint.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

namespace {

const char *kUsage =
    "usage: avila-compile <model> [--target x86] [-o <file.avila>]\n"
    "                     [--compile-to=graph|dispatch|linalg]\n"
    "\n"
    "<model> is 'sd15' (the Stable Diffusion 1.5 architecture), a diffusers\n"
    "folder (its config.json files), or a single-file .safetensors checkpoint\n"
    "(configuration inferred from its tensor shapes). The artifact serves\n"
    "every checkpoint of that architecture; it holds no weights.\n"
    "--compile-to prints the IR after the named phase instead:\n"
    "  graph     the networks in the avila dialect\n"
    "  dispatch  grouped into kernels, called from the entry points\n"
    "  linalg    kernels lowered to linalg on tensors\n";

struct Options {
  std::string model, output = "model.avila", target = "x86", phase;
};

Options parse(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (arg.rfind("--compile-to=", 0) == 0) {
      options.phase = arg.substr(13);
      if (options.phase != "graph" && options.phase != "dispatch" &&
          options.phase != "linalg")
        avila::fail("unknown phase '" + options.phase + "'\n" + kUsage);
      continue;
    }
    if (arg == "-o" || arg == "--target") {
      if (i + 1 >= argc)
        avila::fail("missing value for " + arg);
      (arg == "-o" ? options.output : options.target) = argv[++i];
      continue;
    }
    if (arg[0] == '-' || !options.model.empty())
      avila::fail("unexpected argument '" + arg + "'\n" + kUsage);
    options.model = arg;
  }
  if (options.model.empty())
    avila::fail(std::string("no model given\n") + kUsage);
  if (options.target != "x86")
    avila::fail("target '" + options.target +
                "' is not available yet (x86 is)");
  return options;
}

avila::models::ModelConfig loadConfig(const std::string &model,
                                      bool &textModelLevel) {
  textModelLevel = true;
  if (model == "sd15")
    return avila::models::ModelConfig();
  if (fs::is_directory(model))
    return avila::models::readDiffusersConfig(model);
  avila::Checkpoint checkpoint(model);
  auto shapes = checkpoint.singleFileShapes();
  textModelLevel = shapes.count("cond_stage_model.transformer.text_model."
                                "embeddings.token_embedding.weight") != 0;
  return avila::models::inferLdmConfig(shapes);
}

int run(const Options &options) {
  bool textModelLevel = true;
  const avila::models::ModelConfig config =
      loadConfig(options.model, textModelLevel);
  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      avila::models::buildNetworksModule(context, config);
  if (!module)
    avila::fail("the model graphs do not verify (a bug)");

  if (!options.phase.empty()) {
    mlir::PassManager passes(&context);
    if (options.phase != "graph")
      passes.addPass(avila::createFormDispatches());
    if (options.phase == "linalg")
      passes.addNestedPass<mlir::func::FuncOp>(avila::createLowerToLinalg());
    if (mlir::failed(passes.run(*module)))
      avila::fail("compilation failed");
    module->print(llvm::outs());
    return 0;
  }

  avila::ArtifactOptions artifactOptions;
  artifactOptions.components = {{"text_encoder", "text_encoder"},
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
  auto bytes = avila::buildArtifact(*module, artifactOptions);
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
