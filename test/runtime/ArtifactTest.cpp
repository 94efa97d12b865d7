//===- ArtifactTest.cpp - The artifact reader trusts nothing --------------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"
#include "runtime/hal/cpu/CpuFeatures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>

namespace avila {
namespace {

namespace fb = artifact;

// What a test may change in an otherwise valid artifact: one entry point
// "unet" with input x [?, 4], output y [?, 4], and one dispatch of kernel
// "k" binding x and y with the element count as push constant.
struct Recipe {
  uint32_t version = kArtifactFormatVersion;
  fb::Target target = fb::Target::X86;
  std::vector<fb::ExprT> exprs;
  uint32_t kernelIndex = 0;
  std::vector<fb::BindingAccess> kernelBindings = {fb::BindingAccess::Read,
                                                   fb::BindingAccess::Write};
  std::optional<std::string> entryPoint = "avila_kernel_k";
  std::vector<uint32_t> workgroupSize = {1, 1, 1};
  std::vector<fb::PushConstant> pushConstants = {{0, fb::ElementType::I64}};
  std::vector<std::pair<fb::BindingKind, uint32_t>> bindings = {
      {fb::BindingKind::Input, 0}, {fb::BindingKind::Output, 0}};
  std::vector<uint32_t> workgroupCount = {2, 1, 1};
  int64_t inputIdLimit = 0;
  std::vector<uint8_t> code = {0x7f, 'E', 'L', 'F'};
  std::vector<std::string> features = {"sse2"};
  std::optional<uint64_t> codeSize; // as written, when not code.size()
  // A weight "unet/w" [4] of this type in the manifest, when given.
  std::optional<fb::ElementType> weightType;

  Recipe() {
    exprs.resize(3);
    exprs[0].op = fb::ExprOp::InputDim; // batch
    exprs[1].op = fb::ExprOp::Constant;
    exprs[1].value = 4;
    exprs[2].op = fb::ExprOp::Mul;
    exprs[2].lhs = 0;
    exprs[2].rhs = 1;
  }

  std::vector<uint8_t> build() const {
    fb::ArtifactT artifact;
    artifact.format_version = version;
    artifact.target = target;
    auto kernel = std::make_unique<fb::KernelT>();
    kernel->name = "k";
    kernel->bindings = kernelBindings;
    if (entryPoint)
      kernel->entry_point = *entryPoint;
    kernel->workgroup_size = workgroupSize;
    kernel->input_bindings = 1;
    kernel->push_constants = pushConstants;
    artifact.kernels.push_back(std::move(kernel));
    artifact.target_features = features;
    if (weightType) {
      auto weight = std::make_unique<fb::WeightT>();
      weight->component = "unet";
      weight->name = "w";
      weight->shape = {4};
      weight->element_type = *weightType;
      artifact.weights.push_back(std::move(weight));
    }
    artifact.code = code;
    artifact.code_size = codeSize.value_or(code.size());
    artifact.code_crc32 = codeChecksum(code);
    auto entry = std::make_unique<fb::EntryPointT>();
    entry->name = "unet";
    for (auto *list : {&entry->inputs, &entry->outputs}) {
      auto spec = std::make_unique<fb::TensorSpecT>();
      spec->name = list == &entry->inputs ? "x" : "y";
      spec->shape = {0, 1};
      if (list == &entry->inputs)
        spec->id_limit = inputIdLimit;
      list->push_back(std::move(spec));
    }
    for (const fb::ExprT &expr : exprs)
      entry->exprs.push_back(std::make_unique<fb::ExprT>(expr));
    auto dispatch = std::make_unique<fb::DispatchT>();
    dispatch->kernel = kernelIndex;
    for (auto [kind, index] : bindings) {
      auto binding = std::make_unique<fb::BindingT>();
      binding->kind = kind;
      binding->index = index;
      binding->shape = {0, 1};
      dispatch->bindings.push_back(std::move(binding));
    }
    dispatch->push_constants = {2};
    dispatch->workgroup_count = workgroupCount;
    entry->dispatches.push_back(std::move(dispatch));
    entry->arena_size = 1;
    artifact.entry_points.push_back(std::move(entry));
    flatbuffers::FlatBufferBuilder builder;
    builder.Finish(fb::Artifact::Pack(builder, &artifact),
                   fb::ArtifactIdentifier());
    return {builder.GetBufferPointer(),
            builder.GetBufferPointer() + builder.GetSize()};
  }
};

std::string errorOf(std::vector<uint8_t> bytes,
                    std::optional<fb::Target> target = std::nullopt) {
  try {
    Artifact artifact(std::move(bytes), target);
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

TEST(Artifact, ReadsAndEvaluatesSizes) {
  Artifact artifact(Recipe().build(), fb::Target::X86);
  const fb::EntryPoint *entry = artifact.entryPoint("unet");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(artifact.entryPoint("vae_decoder"), nullptr);
  std::vector<std::vector<int64_t>> shapes = {{3, 4}};
  EXPECT_EQ(evaluateExprs(*entry, shapes), (std::vector<int64_t>{3, 4, 12}));
}

TEST(Artifact, RefusesOtherFilesTargetsAndVersions) {
  EXPECT_NE(errorOf({1, 2, 3}).find("not an Avila artifact"),
            std::string::npos);
  std::vector<uint8_t> bytes = Recipe().build();
  EXPECT_NE(errorOf({bytes.begin(), bytes.begin() + bytes.size() / 2})
                .find("the FlatBuffers verifier rejects it"),
            std::string::npos);
  EXPECT_NE(errorOf(Recipe().build(), fb::Target::Vulkan)
                .find("the artifact is for target X86, not Vulkan"),
            std::string::npos);
  Recipe old;
  old.version = 0;
  EXPECT_NE(errorOf(old.build()).find("format version 0 is not the version"),
            std::string::npos);
}

TEST(Artifact, RefusesOlderFormats) {
  Recipe old;
  old.version = 4;
  EXPECT_NE(
      errorOf(old.build())
          .find("artifact format version 4 is not the version this runtime "
                "reads (5); recompile it"),
      std::string::npos)
      << errorOf(old.build());
}

TEST(Artifact, RefusesCodeThatDoesNotMatchItsChecksum) {
  Recipe recipe;
  recipe.code = {0x7f, 'E', 'L', 'F', 0x02, 0x01, 0x01, 0x00};
  std::vector<uint8_t> bytes = recipe.build();
  EXPECT_EQ(errorOf(bytes), "");
  auto code = std::search(bytes.begin(), bytes.end(), recipe.code.begin(),
                          recipe.code.end());
  ASSERT_NE(code, bytes.end());
  code[5] ^= 0x10;
  EXPECT_NE(errorOf(bytes).find("corrupt artifact: its code does not match "
                                "the checksum written with it"),
            std::string::npos)
      << errorOf(bytes);
}

TEST(Artifact, ExecutorRefusesACpuWithoutTheCodesFeatures) {
  auto lacks = [](std::string_view feature) -> std::optional<bool> {
    return feature != "avx2";
  };
  const std::vector<std::string> features = {"sse2", "avx2", "fma"};
  try {
    cpu::requireFeatures(features, lacks);
    ADD_FAILURE() << "a missing feature was not noticed";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "the artifact's code needs CPU feature 'avx2', "
                               "which this CPU lacks");
  }
  // On this CPU: a feature it lacks (features of the other vendor), and a
  // name no CPU has, are refused before any code is loaded.
  std::vector<std::string> absent;
  for (const char *feature : {"xop", "fma4", "sse4a", "amx-tile"})
    if (cpu::hasFeature(feature) == false)
      absent.push_back(feature);
  absent.push_back("no-such-feature");
  for (const std::string &feature : absent) {
    Recipe recipe;
    recipe.features = {"sse2", feature};
    try {
      Executable executable(Artifact(recipe.build()));
      ADD_FAILURE() << "an artifact needing " << feature << " was loaded";
    } catch (const Error &error) {
      EXPECT_NE(
          std::string(error.what()).find("needs CPU feature '" + feature + "'"),
          std::string::npos)
          << error.what();
    }
  }
}

// The artifact fuzzer's seed must stay a valid artifact of this format. It
// is Recipe().build(); after a format change, write it again with
//   AVILA_WRITE_FUZZER_SEED=1 avila-runtime-tests \
//     --gtest_filter=Artifact.FuzzerSeedIsValid
TEST(Artifact, FuzzerSeedIsValid) {
  const std::string path =
      std::string(AVILA_SOURCE_DIR) +
      "/test/runtime/fuzz/artifact-seeds/minimal-x86.avila";
  if (std::getenv("AVILA_WRITE_FUZZER_SEED")) {
    const std::vector<uint8_t> bytes = Recipe().build();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char *>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  std::ifstream seed(path, std::ios::binary);
  ASSERT_TRUE(seed) << path;
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(seed)),
                             std::istreambuf_iterator<char>());
  EXPECT_EQ(errorOf(bytes), "");
}

TEST(Artifact, RefusesIndicesOutOfRange) {
  auto expectCorrupt = [](std::function<void(Recipe &)> change,
                          const std::string &message) {
    Recipe recipe;
    change(recipe);
    EXPECT_NE(errorOf(recipe.build()).find(message), std::string::npos)
        << "expected: " << message << "\ngot: " << errorOf(recipe.build());
  };
  expectCorrupt([](Recipe &r) { r.codeSize = 5; },
                "its code is 4 bytes, but 5 were written");
  expectCorrupt([](Recipe &r) { r.exprs[2].lhs = 2; },
                "uses an operand that does not precede it");
  expectCorrupt([](Recipe &r) { r.exprs[0].input = 1; },
                "reads a missing input dimension");
  expectCorrupt([](Recipe &r) { r.exprs[0].axis = 2; },
                "reads a missing input dimension");
  expectCorrupt([](Recipe &r) { r.exprs[1].op = static_cast<fb::ExprOp>(99); },
                "has an unknown operation");
  expectCorrupt([](Recipe &r) { r.kernelIndex = 1; },
                "dispatch of a missing kernel");
  expectCorrupt(
      [](Recipe &r) { r.kernelBindings.push_back(fb::BindingAccess::Read); },
      "does not match its kernel's signature");
  expectCorrupt(
      [](Recipe &r) {
        r.kernelBindings[1] = static_cast<fb::BindingAccess>(7);
      },
      "kernel 'k' binding of unknown access");
  expectCorrupt([](Recipe &r) { r.entryPoint.reset(); },
                "kernel 'k' without an entry point");
  expectCorrupt([](Recipe &r) { r.entryPoint = ""; },
                "kernel 'k' without an entry point");
  expectCorrupt([](Recipe &r) { r.workgroupSize = {64, 1}; },
                "kernel 'k' without a 3-D workgroup size");
  expectCorrupt([](Recipe &r) { r.workgroupSize = {64, 0, 1}; },
                "kernel 'k' workgroup size 0");
  expectCorrupt([](Recipe &r) { r.workgroupSize = {1, 1, 1025}; },
                "kernel 'k' workgroup size 1025");
  expectCorrupt(
      [](Recipe &r) { r.pushConstants[0] = {0, fb::ElementType::F16}; },
      "kernel 'k' push constant 0 is not i32, i64 or f32");
  expectCorrupt(
      [](Recipe &r) { r.pushConstants[0] = {4, fb::ElementType::I64}; },
      "kernel 'k' push constant 0 at offset 4 is not aligned to its 8 bytes");
  expectCorrupt(
      [](Recipe &r) { r.pushConstants[0] = {256, fb::ElementType::I32}; },
      "kernel 'k' push constant 0 at offset 256 lies beyond 256 bytes");
  expectCorrupt(
      [](Recipe &r) {
        r.pushConstants[0] = {0xfffffff8u, fb::ElementType::I64};
      },
      "lies beyond 256 bytes");
  expectCorrupt(
      [](Recipe &r) {
        r.pushConstants = {{8, fb::ElementType::I64},
                           {12, fb::ElementType::F32}};
      },
      "kernel 'k' push constants overlap at offset 12");
  expectCorrupt([](Recipe &r) { r.pushConstants.clear(); },
                "does not match its kernel's signature");
  expectCorrupt([](Recipe &r) { r.workgroupSize = {64, 32, 1}; },
                "kernel 'k' workgroup of 2048 invocations, more than 1024");
  expectCorrupt([](Recipe &r) { r.workgroupCount[2] = 3; },
                "workgroup count expression");
  expectCorrupt([](Recipe &r) { r.workgroupCount = {2, 1}; },
                "dispatch without a 3-D workgroup count");
  expectCorrupt([](Recipe &r) { r.bindings[0].second = 1; }, "input binding");
  expectCorrupt([](Recipe &r) { r.bindings[1] = {fb::BindingKind::Weight, 0}; },
                "weight binding");
  expectCorrupt([](Recipe &r) { r.weightType = fb::ElementType::I32; },
                "weight 'unet/w' of element type I32: weights are F32, F16 "
                "or BF16");
  expectCorrupt(
      [](Recipe &r) {
        r.weightType = fb::ElementType::F16;
        r.bindings[0] = {fb::BindingKind::Weight, 0};
      },
      "binds weight 'unet/w' as F32, but the manifest declares it F16");
  expectCorrupt(
      [](Recipe &r) { r.bindings[1].first = static_cast<fb::BindingKind>(9); },
      "binding of unknown kind");
  // The recipe's input holds floats: a limit on its values means nothing.
  expectCorrupt([](Recipe &r) { r.inputIdLimit = 10; },
                "input id limit on a tensor that holds no ids");
  expectCorrupt([](Recipe &r) { r.inputIdLimit = -1; },
                "input negative id limit");
}

TEST(Artifact, SizeEvaluationChecksArithmetic) {
  Recipe recipe;
  recipe.exprs[1].value = INT64_MAX;
  Artifact overflowing(recipe.build());
  std::vector<std::vector<int64_t>> shapes = {{3, 4}};
  try {
    evaluateExprs(*overflowing.entryPoint("unet"), shapes);
    ADD_FAILURE() << "overflow not detected";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("overflows"), std::string::npos);
  }
  recipe = Recipe();
  recipe.exprs[2].op = fb::ExprOp::FloorDiv;
  recipe.exprs[1].value = 0;
  Artifact dividing(recipe.build());
  try {
    evaluateExprs(*dividing.entryPoint("unet"), shapes);
    ADD_FAILURE() << "division by zero not detected";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("division"), std::string::npos);
  }
}

} // namespace
} // namespace avila
