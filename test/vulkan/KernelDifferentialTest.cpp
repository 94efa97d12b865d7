//===- KernelDifferentialTest.cpp - Vulkan kernels against the interpreter ===//
//
// Every case of test/kernels/KernelCases.h built into a Vulkan artifact as
// avila-compile builds one (@k an entry point: its dispatches follow the
// kernels' launch plans), run by the executor on a Vulkan device (lavapipe
// under CTest), and compared with the interpreter: in fp32, and in fp16
// (f16 buffers, f32 arithmetic) at issue 11's network tolerance, the long
// reductions included; and in fp16 for `--device-profile auto`, the
// profile read from the device they run on.
//
//===----------------------------------------------------------------------===//

#include "compiler/artifact/ArtifactBuilder.h"
#include "compiler/targets/spirv/DeviceProfile.h"
#include "compiler/targets/spirv/SpirvTarget.h"
#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"
#include "runtime/hal/OpenDevice.h"
#include "test/kernels/HostTensors.h"
#include "test/kernels/KernelCases.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

using interp::ElementType;
using interp::Tensor;
using test::Case;

// The artifact of `module` at `precision` for `profile` (the default one
// when empty), run through its entry point k. The inputs are moved into the
// executor's host tensors: the interpreter is done with them.
llvm::Expected<std::vector<Tensor>> runOnVulkan(Precision precision,
                                                const std::string &profile,
                                                mlir::ModuleOp module,
                                                std::vector<Tensor> &inputs) {
  auto target = spirv::SpirvTarget().configured({precision, profile});
  if (!target)
    return target.takeError();
  auto bytes = buildArtifact(module, **target, ArtifactOptions());
  if (!bytes)
    return bytes.takeError();
  std::vector<HostTensor> hostInputs;
  for (Tensor &input : inputs)
    hostInputs.push_back(test::toHostTensor(std::move(input)));
  try {
    Executable executable(Artifact(std::move(*bytes), artifact::Target::Vulkan),
                          hal::openDevice("vulkan", artifact::Target::Vulkan));
    std::vector<Tensor> outputs;
    for (HostTensor &output : executable.run(test::kEntryPoint, hostInputs))
      outputs.push_back(Tensor::fromFloats(
          ElementType::F32, std::move(output.shape), std::move(output.floats)));
    return outputs;
  } catch (const Error &error) {
    return llvm::createStringError(error.what());
  }
}

test::RunCompiled onVulkan(Precision precision, std::string profile = "") {
  return
      [precision, profile](mlir::ModuleOp module, std::vector<Tensor> &inputs,
                           const std::vector<Tensor> &) {
        return runOnVulkan(precision, profile, module, inputs);
      };
}

class VulkanKernel : public ::testing::TestWithParam<Case> {};

TEST_P(VulkanKernel, MatchesTheInterpreter) {
  test::expectMatchesInterpreter(GetParam(), onVulkan(Precision::FP32));
}

class VulkanKernelFp16 : public ::testing::TestWithParam<Case> {};

TEST_P(VulkanKernelFp16, MatchesTheInterpreter) {
  Case c = GetParam();
  c.tolerance = test::tolerance(c, Precision::FP16);
  test::expectMatchesInterpreter(c, onVulkan(Precision::FP16));
}

class VulkanKernelAutoProfile : public ::testing::TestWithParam<Case> {};

TEST_P(VulkanKernelAutoProfile, MatchesTheInterpreter) {
  Case c = GetParam();
  c.tolerance = test::tolerance(c, Precision::FP16);
  test::expectMatchesInterpreter(c, onVulkan(Precision::FP16, "auto"));
}

// Under CTest the device is lavapipe, whose limits the `lavapipe` profile
// holds as its driver reports them; `auto` gives it generic's FMA tile
// (lavapipe multiplies no cooperative matrices).
TEST(AutoDeviceProfile, ReadsLavapipesLimits) {
  auto detected = spirv::deviceProfile("auto");
  ASSERT_TRUE(bool(detected)) << llvm::toString(detected.takeError());
  const spirv::DeviceProfile lavapipe =
      llvm::cantFail(spirv::deviceProfile("lavapipe"));
  const spirv::DeviceProfile generic =
      llvm::cantFail(spirv::deviceProfile("generic"));
  EXPECT_EQ(detected->name, "auto");
  EXPECT_TRUE(llvm::StringRef(detected->device).starts_with("vulkan:"))
      << detected->device;
  EXPECT_NE(detected->device.find("llvmpipe"), std::string::npos)
      << detected->device;
  EXPECT_EQ(detected->subgroupSize, lavapipe.subgroupSize);
  EXPECT_EQ(detected->maxWorkgroupMemory, lavapipe.maxWorkgroupMemory);
  EXPECT_EQ(detected->maxWorkgroupInvocations,
            lavapipe.maxWorkgroupInvocations);
  EXPECT_EQ(detected->maxStorageBufferRange, lavapipe.maxStorageBufferRange);
  EXPECT_EQ(detected->float16, lavapipe.float16);
  EXPECT_EQ(detected->cooperativeMatrix, lavapipe.cooperativeMatrix);
  EXPECT_EQ(spirv::describeDeviceProfile(*detected),
            spirv::describeDeviceProfile(lavapipe));
  EXPECT_EQ(detected->contractionTile.rows, generic.contractionTile.rows);
  EXPECT_EQ(detected->contractionTile.cols, generic.contractionTile.cols);
  EXPECT_EQ(detected->contractionTile.depth, generic.contractionTile.depth);
}

INSTANTIATE_TEST_SUITE_P(Ops, VulkanKernel,
                         ::testing::ValuesIn(test::kernelCases()),
                         test::caseName);
INSTANTIATE_TEST_SUITE_P(Ops, VulkanKernelFp16,
                         ::testing::ValuesIn(test::kernelCases()),
                         test::caseName);
INSTANTIATE_TEST_SUITE_P(Ops, VulkanKernelAutoProfile,
                         ::testing::ValuesIn(test::kernelCases()),
                         test::caseName);
// The VAE's at 512² (256 MiB) exceed what a binding may hold.
INSTANTIATE_TEST_SUITE_P(
    LongReduction, VulkanKernel,
    ::testing::ValuesIn(test::longReductionCases(test::kVulkanBindingBytes)),
    test::caseName);
INSTANTIATE_TEST_SUITE_P(
    LongReduction, VulkanKernelFp16,
    ::testing::ValuesIn(test::longReductionCases(test::kVulkanBindingBytes)),
    test::caseName);

} // namespace
} // namespace avila
