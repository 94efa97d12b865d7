//===- GoldenCheck.h - Networks and pipeline against golden cases -*- C++
//-*-===//
//
// What avila-check (compiled kernels, runtime only) and
// avila-check-interpreter (the reference interpreter) share: the options,
// the one table of tolerances, the network cases of a golden folder
// (cases.safetensors + cases.json, as ../shared/golden/ holds them), the
// txt2img/img2img pipeline cases, and the report with its exit status. Each
// tool brings only the way it runs a network.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TOOLS_AVILA_CHECK_GOLDENCHECK_H
#define AVILA_TOOLS_AVILA_CHECK_GOLDENCHECK_H

#include "runtime/executor/Executable.h"
#include "runtime/weights/Component.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace avila::golden {

struct Tolerances {
  double network; // relative L2 of each network output
  double latents; // relative L2 of a pipeline's final latents
  double image;   // largest absolute error of its image, in [0, 1]
};

/// The bounds of "fp32" or "fp16" kernels; throws avila::Error otherwise.
Tolerances tolerancesFor(const std::string &precision);

struct Options {
  std::filesystem::path model, config, cases, artifact, tokenizer, initImage;
  std::string device = "auto";
  Tolerances tolerances = tolerancesFor("fp32");
  int expectPassed = -1; // any number when negative
};

/// Where a tool runs the networks, which decides the options it takes.
enum class Runner {
  /// --artifact (required), --device, --precision, --tokenizer,
  /// --init-image as well.
  Artifact,
  /// Only the options both tools take.
  Interpreter,
};

/// Parses the command line of `tool`, printing `usage` for --help (and
/// exiting 0). Throws avila::Error for a missing, stray or unknown argument.
Options parseOptions(int argc, char **argv, Runner runner, const char *usage);

/// One network of a golden folder: the entry point (function) it runs, the
/// golden tensors it reads (ids as I32) and those its outputs must match.
struct NetworkCase {
  const char *name;
  const char *function;
  Component component;
  std::vector<std::pair<const char *, artifact::ElementType>> inputs;
  std::vector<const char *> expected;
};

/// Runs one network case on its inputs; throws avila::Error when it cannot.
using NetworkRunner = std::function<std::vector<HostTensor>(
    const NetworkCase &, const std::vector<HostTensor> &)>;

/// Runs every network case of `options.cases` through `runNetwork` and, with
/// an `executable`, every pipeline case of cases.json on it (without one
/// they are skipped); prints a PASS or FAIL line per case and the counts.
/// Returns the exit status: 0 when no case failed, at least one passed and,
/// with --expect-passed, exactly that many passed.
int checkGolden(const Options &options, const NetworkRunner &runNetwork,
                Executable *executable);

} // namespace avila::golden

#endif // AVILA_TOOLS_AVILA_CHECK_GOLDENCHECK_H
