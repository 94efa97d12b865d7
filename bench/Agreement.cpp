//===- Agreement.cpp - One entry point of two artifacts, same inputs ------===//
//
//   avila-agree <a.avila> <b.avila> --entry <name> [--shapes <shapes>]
//               [--device-a <name>] [--device-b <name>] [--max-rel-l2 <x>]
//               [--weight-seed <n>] [--input-seed <n>] [--input-seed-b <n>]
//               [--repeats <n>] [--threads <n>]
//
// Runs entry point <name> of two artifacts of one model (the x86 and the
// Vulkan fp16 compile of sd15, say) on their devices with the same seeded
// random weights of the artifacts' shapes and the same seeded random
// inputs, and reports, per output, the relative L2 and largest absolute
// difference of b from a, with each side's time and peak device memory.
// Needs no checkpoint: full-size agreement of the real SD 1.5 shapes on any
// machine.
//
//===----------------------------------------------------------------------===//

#include "bench/RandomInputs.h"
#include "bench/RandomWeights.h"
#include "runtime/artifact/ShapeList.h"
#include "runtime/base/Difference.h"
#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

namespace {

const char *kUsage =
    "usage: avila-agree <a.avila> <b.avila> --entry <name>\n"
    "                   [--shapes <shape>,<shape>,...]\n"
    "                   [--device-a <name>] [--device-b <name>]\n"
    "                   [--max-rel-l2 <bound>] [--weight-seed <n>]\n"
    "                   [--input-seed <n>] [--input-seed-b <n>]\n"
    "                   [--repeats <n>] [--threads <n>]\n"
    "\n"
    "Runs entry point <name> (unet, vae_decoder, vae_encoder, text_encoder)\n"
    "of two artifacts of one model, each on its device (--device-a/-b: auto,\n"
    "the device for its target, by default; cpu, vulkan, vulkan:N), with the\n"
    "same random weights (--weight-seed, default 0) and the same random\n"
    "inputs (--input-seed, default 0; --input-seed-b gives side b others,\n"
    "which must then disagree), and prints per output the relative L2 and\n"
    "the largest absolute difference of b from a, each side's time (the\n"
    "fastest of --repeats runs, default 1) and peak device memory.\n"
    "--shapes gives the inputs' shapes; by default SD 1.5's: unet\n"
    "2x4x64x64,2,2x77x768 (a CFG batch at 512x512), vae_decoder 1x4x64x64,\n"
    "vae_encoder 1x3x512x512, text_encoder 1x77.\n"
    "Exits 1 when an output's relative L2 reaches --max-rel-l2.\n";

const std::map<std::string, std::string> kSd15Shapes = {
    {"unet", "2x4x64x64,2,2x77x768"},
    {"vae_decoder", "1x4x64x64"},
    {"vae_encoder", "1x3x512x512"},
    {"text_encoder", "1x77"},
};

struct Options {
  std::string artifacts[2];
  std::string devices[2] = {"auto", "auto"};
  uint32_t inputSeeds[2] = {0, 0};
  std::string entry, shapes;
  std::optional<double> maxRelativeL2;
  uint32_t weightSeed = 0;
  int repeats = 1;
  unsigned threads = 0;
};

long long count(const std::string &flag, const std::string &value,
                long long most) {
  char *end = nullptr;
  const long long number = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end || number < 0 || number > most)
    avila::fail(flag + " must be a whole number from 0 to " +
                std::to_string(most) + ", not '" + value + "'");
  return number;
}

Options parseOptions(int argc, char **argv) {
  Options options;
  int positional = 0;
  std::optional<uint32_t> inputSeedB;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (flag.rfind("--", 0) != 0) {
      if (positional == 2)
        avila::fail("unexpected argument '" + flag + "'\n" + kUsage);
      options.artifacts[positional++] = flag;
      continue;
    }
    if (i + 1 >= argc)
      avila::fail("missing value for " + flag + "\n" + kUsage);
    const std::string value = argv[++i];
    if (flag == "--entry")
      options.entry = value;
    else if (flag == "--shapes")
      options.shapes = value;
    else if (flag == "--device-a")
      options.devices[0] = value;
    else if (flag == "--device-b")
      options.devices[1] = value;
    else if (flag == "--weight-seed")
      options.weightSeed = count(flag, value, UINT32_MAX);
    else if (flag == "--input-seed")
      options.inputSeeds[0] = count(flag, value, UINT32_MAX);
    else if (flag == "--input-seed-b")
      inputSeedB = count(flag, value, UINT32_MAX);
    else if (flag == "--repeats")
      options.repeats = std::max<int>(1, count(flag, value, 1000));
    else if (flag == "--threads")
      options.threads = count(flag, value, 4096);
    else if (flag == "--max-rel-l2") {
      char *end = nullptr;
      options.maxRelativeL2 = std::strtod(value.c_str(), &end);
      if (value.empty() || *end || !(*options.maxRelativeL2 > 0))
        avila::fail("--max-rel-l2 must be a positive number, not '" + value +
                    "'");
    } else
      avila::fail("unknown option '" + flag + "'\n" + kUsage);
  }
  if (positional != 2 || options.entry.empty())
    avila::fail(std::string("two artifacts and --entry are required\n") +
                kUsage);
  options.inputSeeds[1] = inputSeedB.value_or(options.inputSeeds[0]);
  if (options.shapes.empty()) {
    auto known = kSd15Shapes.find(options.entry);
    if (known == kSd15Shapes.end())
      avila::fail("no SD 1.5 shapes known for '" + options.entry +
                  "': give --shapes");
    options.shapes = known->second;
  }
  return options;
}

struct Side {
  std::vector<avila::HostTensor> outputs;
  double seconds = 0;
  std::string memory;
};

// Opens one artifact, binds the weights, runs the entry point and frees
// everything before the other side starts (two full-size models need not
// fit at once).
Side runSide(const Options &options, int side,
             const std::vector<std::vector<int64_t>> &shapes) {
  avila::Executable executable(avila::Artifact::load(options.artifacts[side]),
                               options.threads, options.devices[side]);
  const avila::artifact::EntryPoint *entry =
      executable.artifact().entryPoint(options.entry);
  if (!entry)
    avila::fail(options.artifacts[side] + " has no entry point '" +
                options.entry + "'");
  const std::vector<avila::HostTensor> inputs =
      avila::randomInputs(*entry, shapes, options.inputSeeds[side]);
  avila::bindRandomWeights(executable, options.weightSeed);
  Side result;
  for (int i = 0; i < options.repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    result.outputs = executable.run(options.entry, inputs);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    result.seconds = i ? std::min(result.seconds, seconds) : seconds;
  }
  result.memory = executable.runsOn().peakMemoryReport();
  return result;
}

// Both sides must read the same weights in the same order for one seed to
// give them the same values.
void requireSameWeights(const Options &options) {
  const avila::Artifact a = avila::Artifact::load(options.artifacts[0]);
  const avila::Artifact b = avila::Artifact::load(options.artifacts[1]);
  const auto *weightsA = a.root().weights();
  const auto *weightsB = b.root().weights();
  const size_t countA = weightsA ? weightsA->size() : 0;
  const size_t countB = weightsB ? weightsB->size() : 0;
  bool same = countA == countB;
  for (size_t i = 0; same && i < countA; ++i) {
    const auto *wa = weightsA->Get(i);
    const auto *wb = weightsB->Get(i);
    same = wa->name()->str() == wb->name()->str() &&
           wa->component()->str() == wb->component()->str() &&
           std::equal(wa->shape()->begin(), wa->shape()->end(),
                      wb->shape()->begin(), wb->shape()->end());
  }
  if (!same)
    avila::fail(options.artifacts[0] + " and " + options.artifacts[1] +
                " are not of one model: their weights differ");
}

int run(const Options &options) {
  const auto shapes = avila::parseShapeList(options.shapes);
  requireSameWeights(options);
  Side sides[2];
  for (int side = 0; side < 2; ++side) {
    sides[side] = runSide(options, side, shapes);
    std::printf("%c: %s  %.3f s  %s\n", "ab"[side],
                options.artifacts[side].c_str(), sides[side].seconds,
                sides[side].memory.c_str());
  }
  if (sides[0].outputs.size() != sides[1].outputs.size())
    avila::fail("the two sides give different numbers of outputs");
  bool agree = true;
  for (size_t i = 0; i < sides[0].outputs.size(); ++i) {
    const avila::HostTensor &a = sides[0].outputs[i];
    const avila::HostTensor &b = sides[1].outputs[i];
    if (a.shape != b.shape)
      avila::fail("output " + std::to_string(i) +
                  " has different shapes on the two sides");
    const avila::Difference difference = avila::difference(b.floats, a.floats);
    const bool ok = !options.maxRelativeL2 ||
                    difference.relativeL2 < *options.maxRelativeL2;
    agree = agree && ok;
    std::string shape;
    for (int64_t dim : a.shape)
      shape += (shape.empty() ? "" : "x") + std::to_string(dim);
    std::printf("%s %s output %zu (%s): relative L2 %.3e, max abs %.3e\n",
                options.maxRelativeL2 ? (ok ? "PASS" : "FAIL") : "    ",
                options.entry.c_str(), i, shape.c_str(), difference.relativeL2,
                difference.maxAbs);
  }
  return agree ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-agree: error: %s\n", error.what());
    return 1;
  }
}
