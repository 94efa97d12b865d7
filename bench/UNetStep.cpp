//===- UNetStep.cpp - One classifier-free-guidance U-Net step -------------===//
//
//   avila-bench-unet <artifact.avila> [latent size, default 64] [repeats]
//
// Runs the artifact's unet entry point on a CFG batch (2: conditional and
// unconditional), a 77-token context and random weights of the right shapes,
// and prints seconds per step and GFLOP/s against the SD 1.5 U-Net's
// 0.80 TFLOP per image at 64x64 (scaled with the latent area).
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: avila-bench-unet <artifact> [size] [repeats]\n");
    return 2;
  }
  const int64_t size = argc > 2 ? std::atoll(argv[2]) : 64;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 1;
  try {
    avila::Executable executable(
        avila::Artifact::load(argv[1], avila::artifact::Target::X86));
    std::mt19937 rng(0);
    executable.bindWeights([&](const avila::artifact::Weight &weight,
                               std::span<float> values) {
      // Scaled like a trained network so activations stay finite.
      const size_t fanIn = weight.shape()->size() > 1
                               ? values.size() / weight.shape()->Get(0)
                               : 1;
      std::normal_distribution<float> normal(0.0f,
                                             1.0f / std::sqrt(float(fanIn)));
      for (float &value : values)
        value = weight.shape()->size() > 1 ? normal(rng) : 1.0f;
    });
    std::normal_distribution<float> normal;
    auto tensor = [&](std::vector<int64_t> shape) {
      avila::HostTensor t;
      t.shape = std::move(shape);
      t.floats.resize(t.numElements());
      for (float &v : t.floats)
        v = normal(rng);
      return t;
    };
    std::vector<avila::HostTensor> inputs = {tensor({2, 4, size, size}),
                                             tensor({2}), tensor({2, 77, 768})};
    inputs[1].floats = {981.0f, 981.0f};
    std::vector<double> seconds;
    for (int i = 0; i < repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto outputs = executable.run("unet", inputs);
      seconds.push_back(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count());
      std::printf("step %d: %.2f s (output[0] = %g)\n", i, seconds.back(),
                  outputs[0].floats[0]);
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double flops = 2 * 0.80e12 * (size * size) / (64.0 * 64.0);
    std::printf("unet CFG step (batch 2, %lldx%lld latent): median %.2f s, "
                "%.1f GFLOP/s\n",
                static_cast<long long>(size), static_cast<long long>(size),
                median, flops / median / 1e9);
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-bench-unet: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
