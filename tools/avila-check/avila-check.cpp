//===- avila-check.cpp - Check compiled networks against golden data ------===//
//
//   avila-check --model <checkpoint.safetensors | diffusers folder>
//               [--config <diffusers folder>] --cases <folder>
//               --artifact <file.avila> [--device <name>] ...
//
// Runs the text encoder, U-Net and VAE of an artifact, with the weights of
// a model, on the inputs of a golden cases folder, and the txt2img/img2img
// pipeline cases end to end, and prints per case the error and PASS or
// FAIL. Runtime libraries only, no compiler: it runs wherever avila-run
// does (the device machine). avila-check-interpreter checks the networks on
// the reference interpreter.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"
#include "tools/avila-check/GoldenCheck.h"

#include <cstdio>

namespace {

const char *kUsage =
    "usage: avila-check --model <checkpoint.safetensors | diffusers folder>\n"
    "                   [--config <diffusers folder>] --cases <folder>\n"
    "                   --artifact <file.avila> [--device <name>]\n"
    "                   [--tokenizer <path>]\n"
    "                   [--precision fp32|fp16]\n"
    "                   [--tolerance <relative L2 of the networks>]\n"
    "                   [--expect-passed <n>] [--init-image <photo>]\n"
    "\n"
    "Runs the compiled kernels of an artifact from avila-compile, with the\n"
    "model's weights, on a golden cases folder (cases.safetensors and\n"
    "cases.json) and reports the error of each case: the networks' relative\n"
    "L2, and for the txt2img and img2img cases of cases.json the whole\n"
    "pipeline (tokenizer, seeded noise, sampler, guidance, VAE): latents\n"
    "must agree to relative L2 < 1e-5, images to < 1e-4.\n"
    "--config gives the diffusers folder whose config.json files describe a\n"
    "single-file checkpoint (and whose tokenizer is used).\n"
    "--device says where the artifact runs: auto (default: the device for\n"
    "its target), cpu, vulkan or vulkan:N (avila-run --list-devices).\n"
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
    "--config folder.\n"
    "avila-check-interpreter checks the networks on the reference\n"
    "interpreter instead.\n";

int run(const avila::golden::Options &options) {
  avila::Checkpoint checkpoint(options.model);
  avila::Artifact artifact = avila::Artifact::load(options.artifact);
  if (checkpoint.layout() == avila::Checkpoint::Layout::SingleFile)
    checkpoint.setKeyTranslator(avila::singleFileKeys(artifact, checkpoint));
  avila::Executable executable(std::move(artifact), 0, options.device);
  executable.bindWeights(checkpoint);
  const int status = avila::golden::checkGolden(
      options,
      [&](const avila::golden::NetworkCase &networkCase,
          const std::vector<avila::HostTensor> &inputs) {
        return executable.run(networkCase.function, inputs);
      },
      &executable);
  std::printf("%s\n", executable.runsOn().peakMemoryReport().c_str());
  return status;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(avila::golden::parseOptions(
        argc, argv, avila::golden::Runner::Artifact, kUsage));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-check: error: %s\n", error.what());
    return 1;
  }
}
