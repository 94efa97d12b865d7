//===- KernelCases.h - Kernels drawn at random, for every target -*- C++
//-*-===//
//
// The cases every target's differential test runs: each is one function
// @k of avila ops with dynamic batch and spatial sizes, drawn with fresh
// sizes (odd ones included, so vector widths and workgroup sizes never
// divide evenly) and inputs from a seed. The check interprets @k with the
// reference interpreter and compares what the target computes, so a target
// test only says how it compiles and runs a module.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_KERNELS_KERNELCASES_H
#define AVILA_TEST_KERNELS_KERNELCASES_H

#include "compiler/interpreter/Interpreter.h"
#include "compiler/targets/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace avila::test {

/// Sizes and values from one seed: a failure's seed replays its case.
class Random {
public:
  explicit Random(unsigned seed) : engine(seed) {}
  /// Uniform in [lo, hi].
  int64_t size(int64_t lo, int64_t hi);
  interp::Tensor normal(interp::Shape shape, float scale = 1.0f);
  /// I32 ids in [0, limit).
  interp::Tensor ids(interp::Shape shape, int64_t limit);

private:
  std::mt19937 engine;
};

struct Drawn {
  std::string function; // MLIR text of func.func @k
  std::vector<interp::Tensor> inputs;
};

struct Case {
  std::string name;
  std::function<Drawn(Random &)> draw;
  /// The largest relative L2 difference of any result.
  double tolerance;
};

void PrintTo(const Case &c, std::ostream *os);

/// The function every case defines, and the entry point it becomes.
inline constexpr const char *kEntryPoint = "k";

/// The bound `c` is checked against when its kernels keep floats at
/// `precision`: fp16 rounds every input and result to f16 (5e-4 relative)
/// and keeps every sum f32, so it gets issue 11's bound for networks.
double tolerance(const Case &c, Precision precision);

/// The least maxStorageBufferRange Vulkan guarantees (lavapipe's): the
/// kernels bind whole tensors, so larger ones are refused.
inline constexpr int64_t kVulkanBindingBytes = int64_t(1) << 27;

/// A case drawn from a seed and interpreted.
struct Interpreted {
  std::string function;
  mlir::OwningOpRef<mlir::ModuleOp> module; // holds @k
  std::vector<interp::Tensor> inputs;
  std::vector<interp::Tensor> expected; // the interpreter's results
};

/// Draws `c` from `seed` and interprets @k: what every check of a target
/// compares with, and what a recording of the case holds.
llvm::Expected<Interpreted> drawAndInterpret(const Case &c, unsigned seed,
                                             mlir::MLIRContext &context);

/// Every kind of kernel at small random sizes.
std::span<const Case> kernelCases();

/// Normalizations that sum as many values as the VAE's at full size, at the
/// VAE's shapes where those fit `maxTensorBytes`, else in fewer groups or
/// rows (each reduction as long).
std::vector<Case> longReductionCases(int64_t maxTensorBytes = INT64_MAX);

/// The name GoogleTest gives a case's instance.
std::string caseName(const ::testing::TestParamInfo<Case> &info);

/// Compiles `module` (holding @k; the target may transform it) for a target,
/// runs @k on `inputs` and returns its results. The inputs are not const so
/// that a target may bind or consume them rather than copy them (the long
/// cases are hundreds of MiB); `expected` holds the interpreter's results,
/// for targets that need the output shapes up front.
using RunCompiled = std::function<llvm::Expected<std::vector<interp::Tensor>>(
    mlir::ModuleOp module, std::vector<interp::Tensor> &inputs,
    const std::vector<interp::Tensor> &expected)>;

/// Draws `c` from a fresh (or AVILA_TEST_SEED's) seed, interprets @k, runs
/// it through `run` and expects every result's shape to match and its
/// relative L2 difference to stay below the case's tolerance. The seed is
/// in every failure message.
void expectMatchesInterpreter(const Case &c, const RunCompiled &run);

} // namespace avila::test

#endif // AVILA_TEST_KERNELS_KERNELCASES_H
