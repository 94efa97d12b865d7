//===- avila-kernel-replay.cpp - Recorded kernel cases run on a device ----===//
//
//   avila-kernel-replay <folder> [--device vulkan|vulkan:N|cpu|auto]
//
// Runs every case of a folder avila-kernel-record wrote on a device and
// compares its results with the interpreter's recorded ones, as the
// differential tests do: one line per case, exit status 1 when any fails.
// It links the runtime alone (no compiler, no LLVM), so it runs where the
// compiler cannot: on the GPU machine.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Difference.h"
#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"
#include "test/kernels/CaseFolder.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>

namespace fs = std::filesystem;

namespace {

using avila::test::CaseTensors;
using avila::test::RecordedCase;

struct Options {
  fs::path folder;
  std::string device = "auto";
};

constexpr const char *kUsage =
    "usage: avila-kernel-replay <folder> [--device vulkan|vulkan:N|cpu|auto]\n"
    "\n"
    "Runs every case of a folder avila-kernel-record wrote on the device\n"
    "(default auto: the device for each artifact's target) and compares its\n"
    "results with the recorded ones: one line per case; exit status 1 when\n"
    "any case fails, 2 for a folder or command line it cannot use.\n";

Options parse(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (arg == "--device") {
      if (i + 1 >= argc)
        avila::fail("missing value for --device");
      options.device = argv[++i];
      continue;
    }
    if (arg[0] == '-')
      avila::fail("unknown option '" + arg + "'\n" + kUsage);
    if (!options.folder.empty())
      avila::fail("unexpected argument '" + arg + "' (the folder is '" +
                  options.folder.string() + "')");
    options.folder = arg;
  }
  if (options.folder.empty())
    avila::fail(std::string("no case folder given\n") + kUsage);
  return options;
}

// "2x3x5x5,8x3x3x3": one word for the whole line's shapes.
std::string shapesText(const std::vector<std::vector<int64_t>> &shapes) {
  std::string text;
  for (const std::vector<int64_t> &shape : shapes) {
    text += text.empty() ? "" : ",";
    for (size_t i = 0; i < shape.size(); ++i)
      text += (i ? "x" : "") + std::to_string(shape[i]);
  }
  return text;
}

struct Outcome {
  // The worst result's measures.
  avila::Difference worst{0, 0};
  std::string problem;
  // What the case's kernels ask of the device (cooperativeMatrix, ...).
  std::vector<std::string> features;
};

// Runs `c` and measures every result; a case that cannot run says why.
Outcome replay(const fs::path &folder, const RecordedCase &c,
               const std::string &device) {
  Outcome outcome;
  try {
    const CaseTensors tensors = avila::test::readCaseTensors(folder, c);
    avila::Artifact artifact = avila::Artifact::load(folder / c.artifact);
    if (const auto *features = artifact.root().target_features())
      for (const flatbuffers::String *feature : *features)
        outcome.features.push_back(feature->str());
    avila::Executable executable(std::move(artifact), 0, device);
    const std::vector<avila::HostTensor> results =
        executable.run(c.entryPoint, tensors.inputs);
    if (results.size() != tensors.expected.size())
      avila::fail(std::to_string(results.size()) + " results, " +
                  std::to_string(tensors.expected.size()) + " recorded");
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].shape != tensors.expected[i].shape)
        avila::fail("result " + std::to_string(i) + " has shape " +
                    avila::shapeToString(results[i].shape) + ", recorded " +
                    avila::shapeToString(tensors.expected[i].shape));
      const avila::Difference d =
          avila::difference(results[i].floats, tensors.expected[i].floats);
      // Written so that a NaN measure replaces the worst.
      if (!(d.relativeL2 <= outcome.worst.relativeL2))
        outcome.worst.relativeL2 = d.relativeL2;
      if (!(d.maxAbs <= outcome.worst.maxAbs))
        outcome.worst.maxAbs = d.maxAbs;
    }
  } catch (const std::exception &error) {
    outcome.problem = error.what();
  }
  return outcome;
}

int run(const Options &options) {
  const avila::test::CaseFolder folder =
      avila::test::readCaseFolder(options.folder);
  std::string flags;
  for (const std::string &flag : folder.targetFlags)
    flags += " " + flag;
  std::printf("%zu cases compiled with%s, on device %s\n", folder.cases.size(),
              flags.empty() ? " no target flags recorded" : flags.c_str(),
              options.device.c_str());
  size_t failed = 0;
  std::map<std::string, size_t> casesNeeding;
  for (const RecordedCase &c : folder.cases) {
    const Outcome outcome = replay(options.folder, c, options.device);
    for (const std::string &feature : outcome.features)
      ++casesNeeding[feature];
    const bool pass =
        outcome.problem.empty() && outcome.worst.relativeL2 < c.tolerance;
    failed += !pass;
    std::printf("%s %s seed=%u inputs=%s", pass ? "PASS" : "FAIL",
                c.name.c_str(), c.seed, shapesText(c.inputShapes).c_str());
    if (outcome.problem.empty())
      std::printf(" rel_l2=%.3g max_abs=%.3g tolerance=%.3g\n",
                  outcome.worst.relativeL2, outcome.worst.maxAbs, c.tolerance);
    else
      std::printf(" error: %s\n", outcome.problem.c_str());
    std::fflush(stdout);
  }
  // Says which code ran: cooperative-matrix kernels need cooperativeMatrix.
  std::string needs;
  for (const auto &[feature, count] : casesNeeding)
    needs += (needs.empty() ? "" : ", ") + feature + " (" +
             std::to_string(count) + ")";
  std::printf("device features the kernels need (cases): %s\n",
              needs.empty() ? "none" : needs.c_str());
  std::printf("%zu of %zu cases pass\n", folder.cases.size() - failed,
              folder.cases.size());
  return failed ? 1 : 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-kernel-replay: error: %s\n", error.what());
    return 2;
  }
}
