//===- UNetStep.cpp - One classifier-free-guidance U-Net step -------------===//
//
//   avila-bench-unet <artifact.avila> [latent size, default 64] [repeats]
//                    [threads, default all] [--device <name>]
//                    [--launches <file.tsv>]
//
// Runs the artifact's unet entry point on a CFG batch (2: conditional and
// unconditional), a 77-token context and random weights of the right shapes,
// and prints seconds per step and GFLOP/s against the SD 1.5 U-Net's
// 0.80 TFLOP per image at 64x64 (scaled with the latent area), then where
// the last step's time went, by kind of dispatch. `--launches` writes every
// launch of the last step, in order, with its milliseconds.
//
//===----------------------------------------------------------------------===//

#include "bench/DeviceFlag.h"
#include "bench/RandomInputs.h"
#include "bench/RandomWeights.h"
#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

int main(int argc, char **argv) {
  std::string device;
  std::string launches;
  try {
    device = avila::takeDeviceFlag(argc, argv);
    launches = avila::takeOption(argc, argv, "--launches", "", "a file name");
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  }
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: avila-bench-unet <artifact> [size] [repeats] "
                 "[threads] [--device <name>] [--launches <file.tsv>]\n");
    return 2;
  }
  const int64_t size = argc > 2 ? std::atoll(argv[2]) : 64;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 1;
  const unsigned threads = argc > 4 ? std::atoi(argv[4]) : 0;
  try {
    avila::Executable executable(avila::Artifact::load(argv[1]), threads,
                                 device);
    avila::bindRandomWeights(executable, 0);
    const avila::artifact::EntryPoint *unet =
        executable.artifact().entryPoint("unet");
    if (!unet)
      avila::fail("the artifact has no unet entry point");
    std::vector<avila::HostTensor> inputs =
        avila::randomInputs(*unet, {{2, 4, size, size}, {2}, {2, 77, 768}}, 0);
    inputs[1].floats = {981.0f, 981.0f};
    std::vector<double> seconds;
    std::vector<avila::Executable::DispatchTime> profile;
    for (int i = 0; i < repeats; ++i) {
      profile.clear();
      const auto start = std::chrono::steady_clock::now();
      auto outputs = executable.run("unet", inputs, &profile);
      seconds.push_back(std::chrono::duration<double>(
                            std::chrono::steady_clock::now() - start)
                            .count());
      std::printf("step %d: %.4f s (output[0] = %g)\n", i, seconds.back(),
                  outputs[0].floats[0]);
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const double flops = 2 * 0.80e12 * (size * size) / (64.0 * 64.0);
    std::printf("unet CFG step (batch 2, %lldx%lld latent): median %.4f s, "
                "%.1f GFLOP/s\n",
                static_cast<long long>(size), static_cast<long long>(size),
                median, flops / median / 1e9);
    std::printf("%s\n", executable.runsOn().peakMemoryReport().c_str());

    // Kernels are named <entry>_dispatch_<n>_<root op>, and a GPU kernel's
    // launches <...>_kernel[_<n>] after it.
    std::map<std::string, std::pair<double, int>> byRoot;
    for (const auto &[kernel, time] : profile) {
      std::string name = kernel->name()->str();
      const size_t dispatch = name.find("_dispatch_");
      const size_t root = name.find('_', dispatch + 10);
      std::string op = root == std::string::npos ? name : name.substr(root + 1);
      op = op.substr(0, op.find("_kernel"));
      auto &entry = byRoot[op];
      entry.first += time;
      ++entry.second;
    }
    std::vector<std::pair<double, std::string>> ranked;
    for (const auto &[root, entry] : byRoot)
      ranked.push_back(
          {entry.first,
           root + " (" + std::to_string(entry.second) + " dispatches)"});
    std::sort(ranked.rbegin(), ranked.rend());
    for (const auto &[time, what] : ranked)
      std::printf("  %7.3f s  %s\n", time, what.c_str());

    // The slowest dispatches, where a speed issue starts, and every launch
    // of the dispatch the slowest convolution launch belongs to, in order:
    // what a convolution's copies and fills cost beside its product.
    std::vector<avila::Executable::DispatchTime> inOrder = profile;
    if (!launches.empty()) {
      std::ofstream table(launches);
      for (const auto &[kernel, time] : inOrder)
        table << kernel->name()->str() << '\t' << time * 1e3 << '\n';
      if (!table)
        avila::fail("cannot write " + launches);
    }
    std::sort(profile.begin(), profile.end(), [](const auto &a, const auto &b) {
      return a.seconds > b.seconds;
    });
    std::printf("slowest dispatches:\n");
    for (size_t i = 0; i < std::min<size_t>(profile.size(), 15); ++i)
      std::printf("  %8.3f ms  %s\n", profile[i].seconds * 1e3,
                  profile[i].kernel->name()->c_str());
    auto convolution =
        std::find_if(profile.begin(), profile.end(), [](const auto &entry) {
          return entry.kernel->name()->str().find("_conv2d_kernel") !=
                 std::string::npos;
        });
    if (convolution != profile.end()) {
      std::string name = convolution->kernel->name()->str();
      const std::string dispatch = name.substr(0, name.find("_kernel"));
      std::printf("launches of %s:\n", dispatch.c_str());
      for (const auto &[kernel, time] : inOrder)
        if (kernel->name()->str().rfind(dispatch + "_kernel", 0) == 0)
          std::printf("  %8.3f ms  %s\n", time * 1e3, kernel->name()->c_str());
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-bench-unet: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
