//===- Txt2Img.cpp - A whole txt2img generation, stage by stage -----------===//
//
//   avila-bench-txt2img <artifact.avila> <tokenizer> [size, default 512]
//                       [steps, default 20] [sampler, default euler_a]
//                       [threads, default all] [--device <name>]
//
// Generates one image with random weights of the artifact's shapes (no
// checkpoint needed) and prints the time of each stage: the two prompt
// encodings, every denoising step (U-Net CFG batch + guidance + sampler),
// the VAE decode, and the host's share of a step (guidance and sampler on
// the latents, without the U-Net).
//
//===----------------------------------------------------------------------===//

#include "bench/DeviceFlag.h"
#include "bench/RandomWeights.h"
#include "runtime/base/Error.h"
#include "runtime/pipeline/Pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

int main(int argc, char **argv) {
  std::string device;
  try {
    device = avila::takeDeviceFlag(argc, argv);
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  }
  if (argc < 3) {
    std::fprintf(stderr, "usage: avila-bench-txt2img <artifact> <tokenizer> "
                         "[size] [steps] [sampler] [threads] "
                         "[--device <name>]\n");
    return 2;
  }
  const int size = argc > 3 ? std::atoi(argv[3]) : 512;
  const int steps = argc > 4 ? std::atoi(argv[4]) : 20;
  const std::string samplerName = argc > 5 ? argv[5] : "euler_a";
  const unsigned threads = argc > 6 ? std::atoi(argv[6]) : 0;
  try {
    avila::Executable executable(avila::Artifact::load(argv[1]), threads,
                                 device);
    avila::bindRandomWeights(executable, 0);
    const avila::ClipTokenizer tokenizer =
        avila::ClipTokenizer::locate(argv[2], "");
    avila::Pipeline pipeline(executable, tokenizer);
    const auto total = std::chrono::steady_clock::now();

    auto start = std::chrono::steady_clock::now();
    const avila::HostTensor cond =
        pipeline.encodePrompt("a photograph of an astronaut riding a horse");
    const avila::HostTensor uncond = pipeline.encodePrompt("");
    const double encoding = since(start);

    auto sampler = avila::makeSampler(avila::parseSamplerName(samplerName),
                                      steps, avila::NoiseSchedule());
    auto noise = avila::makeNoiseGenerator(avila::NoiseSource::TorchCpu, 42);
    avila::HostTensor latents;
    latents.shape = {1, 4, size / 8, size / 8};
    latents.floats = noise->randn(latents.numElements());
    std::vector<double> stepSeconds;
    start = std::chrono::steady_clock::now();
    pipeline.denoise(
        *sampler, 0, latents, cond, uncond, 7.5, *noise, [&](int step) {
          stepSeconds.push_back(since(start));
          start = std::chrono::steady_clock::now();
          std::printf("step %d: %.2f s\n", step, stepSeconds.back());
          std::fflush(stdout);
          return true;
        });
    start = std::chrono::steady_clock::now();
    const avila::HostTensor image = pipeline.decode(latents);
    const double decoding = since(start);
    const double all = since(total);

    // The host's work per step: guidance over the CFG batch's predictions
    // and one sampler update, timed apart from the U-Net.
    auto hostSampler = avila::makeSampler(avila::parseSamplerName(samplerName),
                                          steps, avila::NoiseSchedule());
    std::vector<float> eps(latents.floats.size(), 0.1f);
    std::vector<float> x = latents.floats;
    start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < hostSampler->timesteps().size(); ++i)
      hostSampler->step(i, eps, x, *noise);
    const double host = since(start) / hostSampler->timesteps().size();

    std::sort(stepSeconds.begin(), stepSeconds.end());
    std::printf("txt2img %dx%d, %d steps of %s (%zu U-Net CFG calls):\n", size,
                size, steps, samplerName.c_str(), stepSeconds.size());
    std::printf("  prompt + negative prompt encoding  %8.3f s\n", encoding);
    std::printf("  denoising step, median             %8.3f s\n",
                stepSeconds[stepSeconds.size() / 2]);
    std::printf("  sampler update alone, mean         %8.6f s\n", host);
    std::printf("  VAE decode                         %8.3f s\n", decoding);
    std::printf("  total                              %8.3f s (pixel[0] %g)\n",
                all, image.floats[0]);
    std::printf("  %s\n", executable.runsOn().peakMemoryReport().c_str());
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-bench-txt2img: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
