//===- KernelDifferentialTest.cpp - x86 kernels against the interpreter ---===//
//
// Every case of test/kernels/KernelCases.h compiled to a shared object,
// loaded as the runtime loads artifacts, run natively, and compared with
// the interpreter.
//
//===----------------------------------------------------------------------===//

#include "compiler/phases/Phases.h"
#include "compiler/targets/x86/X86Target.h"
#include "runtime/hal/cpu/SharedObject.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "test/kernels/KernelCases.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

using interp::ElementType;
using interp::Tensor;
using test::Case;

// The kernels of `module` called directly, with outputs shaped as the
// interpreter's: the x86 kernel of @k takes all its buffers in one call.
llvm::Expected<std::vector<Tensor>>
runOnX86(mlir::ModuleOp module, std::vector<Tensor> &inputs,
         const std::vector<Tensor> &expected) {
  auto library = compileKernels(module, x86::X86Target());
  if (!library)
    return library.takeError();
  cpu::ThreadPool pool(2);
  cpu::SharedObject code(library->code, pool);

  std::vector<std::vector<int32_t>> idBuffers;
  std::vector<Tensor> outputs;
  std::vector<cpu::BufferRef> buffers;
  for (Tensor &input : inputs) {
    if (interp::isFloat(input.elementType)) {
      buffers.push_back({input.floats.data(), input.shape});
      continue;
    }
    idBuffers.emplace_back(input.ints.begin(), input.ints.end());
    buffers.push_back({idBuffers.back().data(), input.shape});
  }
  for (const Tensor &result : expected)
    outputs.push_back(Tensor::zeros(ElementType::F32, result.shape));
  for (Tensor &output : outputs)
    buffers.push_back({output.floats.data(), output.shape});
  std::vector<int64_t> args = cpu::kernelArguments(buffers);
  code.kernel(std::string(cpu::kKernelSymbolPrefix) + "k")(args.data());
  return outputs;
}

class X86Kernel : public ::testing::TestWithParam<Case> {};

TEST_P(X86Kernel, MatchesTheInterpreter) {
  test::expectMatchesInterpreter(GetParam(), runOnX86);
}

INSTANTIATE_TEST_SUITE_P(Ops, X86Kernel,
                         ::testing::ValuesIn(test::kernelCases()),
                         test::caseName);
INSTANTIATE_TEST_SUITE_P(LongReduction, X86Kernel,
                         ::testing::ValuesIn(test::longReductionCases()),
                         test::caseName);

} // namespace
} // namespace avila
