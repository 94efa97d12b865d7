//===- avila-kernel-record.cpp - Kernel cases recorded for a device -------===//
//
//   avila-kernel-record -o <folder> --seeds 1-20 --target vulkan
//                       [--precision fp16] [--cases Conv3x3,Embeddings]
//
// Draws the kernel cases of the differential tests (KernelCases.h) from each
// seed of a range, compiles each into an artifact with the target flags
// avila-compile takes, interprets it for the expected results, and writes
// everything into a case folder (CaseFolder.h) that avila-kernel-replay
// runs on a machine without the compiler.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/targets/TargetFlags.h"
#include "runtime/base/Error.h"
#include "test/kernels/CaseFolder.h"
#include "test/kernels/HostTensors.h"
#include "test/kernels/KernelCases.h"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>

namespace fs = std::filesystem;

namespace {

using avila::fail;
using avila::test::Case;

struct Options {
  fs::path output;
  unsigned firstSeed = 0, lastSeed = 0;
  bool seedsGiven = false;
  std::vector<std::string> caseNames;
  bool longReductions = false;
  int64_t maxTensorBytes = avila::test::kVulkanBindingBytes;
  avila::TargetFlags targetFlags{"vulkan"};
};

std::string usage(const Options &options) {
  return "usage: avila-kernel-record -o <folder> [--seeds FIRST[-LAST]]\n"
         "                           [--cases NAME,...] [--long-reductions]\n"
         "                           [--max-tensor-bytes N] [target flags]\n"
         "\n"
         "Records the differential tests' kernel cases drawn from each seed\n"
         "(default: one fresh seed), compiled with the target flags, with the\n"
         "interpreter's results, into <folder> (new or empty) for\n"
         "avila-kernel-replay. --cases picks cases by name (default: every\n"
         "kernel case); --long-reductions adds the VAE-length reductions,\n"
         "in as few groups or rows as keep each tensor within\n"
         "--max-tensor-bytes (default 128 MiB; each reduction stays as long).\n"
         "Target flags, as avila-compile takes them:\n" +
         options.targetFlags.usage();
}

// All of `text` as a decimal number of type T, at least `least`, or an
// error saying it is not `what`.
template <typename T>
T parseNumber(const std::string &text, const std::string &what, T least = 0) {
  T value = 0;
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value < least)
    fail("'" + text + "' is not " + what);
  return value;
}

unsigned parseSeed(const std::string &text) {
  return parseNumber<unsigned>(text,
                               "a seed (an unsigned 32-bit decimal number)");
}

void parseSeeds(Options &options, const std::string &range) {
  const size_t dash = range.find('-');
  options.firstSeed = parseSeed(range.substr(0, dash));
  options.lastSeed = dash == std::string::npos
                         ? options.firstSeed
                         : parseSeed(range.substr(dash + 1));
  if (options.lastSeed < options.firstSeed)
    fail("--seeds " + range + " is an empty range");
  options.seedsGiven = true;
}

Options parse(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage(options);
      std::exit(0);
    }
    if (arg == "--long-reductions") {
      options.longReductions = true;
      continue;
    }
    auto targetFlag = options.targetFlags.consume(argc, argv, i);
    if (!targetFlag)
      fail(llvm::toString(targetFlag.takeError()));
    if (*targetFlag)
      continue;
    if (arg != "-o" && arg != "--seeds" && arg != "--cases" &&
        arg != "--max-tensor-bytes")
      fail("unknown argument '" + arg + "'\n" + usage(options));
    if (i + 1 >= argc)
      fail("missing value for " + arg);
    const std::string value = argv[++i];
    if (arg == "-o") {
      options.output = value;
    } else if (arg == "--seeds") {
      parseSeeds(options, value);
    } else if (arg == "--max-tensor-bytes") {
      options.maxTensorBytes =
          parseNumber<int64_t>(value, "a positive number of bytes", 1);
    } else {
      for (size_t start = 0; start <= value.size();) {
        const size_t comma = std::min(value.find(',', start), value.size());
        options.caseNames.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    }
  }
  if (options.output.empty())
    fail("no output folder (-o)\n" + usage(options));
  if (!options.seedsGiven)
    options.firstSeed = options.lastSeed = std::random_device{}();
  return options;
}

// The cases the options pick, in the order the tests list them.
std::vector<Case> pickCases(const Options &options) {
  std::vector<Case> all(avila::test::kernelCases().begin(),
                        avila::test::kernelCases().end());
  const std::vector<Case> longCases =
      avila::test::longReductionCases(options.maxTensorBytes);
  if (options.caseNames.empty()) {
    if (options.longReductions)
      all.insert(all.end(), longCases.begin(), longCases.end());
    return all;
  }
  all.insert(all.end(), longCases.begin(), longCases.end());
  std::vector<Case> picked;
  for (const std::string &name : options.caseNames) {
    auto found = std::find_if(all.begin(), all.end(),
                              [&](const Case &c) { return c.name == name; });
    if (found == all.end()) {
      std::string names;
      for (const Case &c : all)
        names += (names.empty() ? "" : ", ") + c.name;
      fail("no case '" + name + "' (the cases: " + names + ")");
    }
    picked.push_back(*found);
  }
  return picked;
}

std::vector<std::vector<int64_t>>
shapes(const std::vector<avila::interp::Tensor> &tensors) {
  std::vector<std::vector<int64_t>> result;
  for (const avila::interp::Tensor &tensor : tensors)
    result.push_back(tensor.shape);
  return result;
}

void writeBytes(const fs::path &path, const std::vector<uint8_t> &bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    fail("cannot write " + path.string());
}

// Draws, interprets and compiles `c` from `seed` into `folder`.
avila::test::RecordedCase record(const Case &c, unsigned seed,
                                 const Options &options,
                                 avila::Precision precision,
                                 const avila::TargetBackend &target) {
  mlir::MLIRContext context;
  auto interpreted = avila::test::drawAndInterpret(c, seed, context);
  if (!interpreted)
    fail(llvm::toString(interpreted.takeError()));
  avila::test::RecordedCase recorded;
  recorded.name = c.name;
  recorded.seed = seed;
  recorded.entryPoint = avila::test::kEntryPoint;
  recorded.tolerance = avila::test::tolerance(c, precision);
  const std::string stem = c.name + "." + std::to_string(seed);
  recorded.artifact = stem + ".avila";
  recorded.tensors = stem + ".safetensors";
  recorded.inputShapes = shapes(interpreted->inputs);
  recorded.outputShapes = shapes(interpreted->expected);

  auto bytes = avila::buildArtifact(*interpreted->module, target,
                                    avila::ArtifactOptions());
  if (!bytes)
    fail(c.name + " (seed " + std::to_string(seed) +
         "): " + llvm::toString(bytes.takeError()));
  writeBytes(options.output / recorded.artifact, *bytes);

  avila::test::CaseTensors tensors;
  for (avila::interp::Tensor &input : interpreted->inputs)
    tensors.inputs.push_back(avila::test::toHostTensor(std::move(input)));
  for (avila::interp::Tensor &result : interpreted->expected)
    tensors.expected.push_back(avila::test::toHostTensor(std::move(result)));
  avila::test::writeCaseTensors(options.output, recorded, tensors);
  return recorded;
}

int run(const Options &options) {
  auto target = options.targetFlags.configure();
  if (!target)
    fail(llvm::toString(target.takeError()));
  if (const std::string detected = options.targetFlags.detectedProfile();
      !detected.empty())
    std::fprintf(stderr, "%s\n", detected.c_str());
  auto targetOptions = options.targetFlags.options();
  if (!targetOptions)
    fail(llvm::toString(targetOptions.takeError()));
  const std::vector<Case> cases = pickCases(options);
  std::error_code error;
  fs::create_directories(options.output, error);
  if (error || !fs::is_directory(options.output))
    fail("cannot create the folder " + options.output.string());
  if (!fs::is_empty(options.output, error))
    fail(options.output.string() +
         " is not empty (a recording goes into a new folder)");

  avila::test::CaseFolder folder;
  folder.targetFlags = options.targetFlags.words();
  for (uint64_t seed = options.firstSeed; seed <= options.lastSeed; ++seed)
    for (const Case &c : cases) {
      folder.cases.push_back(record(c, unsigned(seed), options,
                                    targetOptions->precision, **target));
      std::fprintf(stderr, "recorded %s seed %llu\n", c.name.c_str(),
                   static_cast<unsigned long long>(seed));
    }
  avila::test::writeCaseFolder(options.output, folder);
  std::printf("wrote %zu cases to %s\n", folder.cases.size(),
              options.output.c_str());
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-kernel-record: error: %s\n", error.what());
    return 1;
  }
}
