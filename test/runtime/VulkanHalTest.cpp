//===- VulkanHalTest.cpp - The Vulkan device behind the HAL interfaces ----===//
//
// The Vulkan HAL on lavapipe (CMake forces its driver) with kernels of our
// own: GLSL under shaders/, compiled to SPIR-V at build time and packed into
// artifacts here. Results are compared with the same arithmetic on the host.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"
#include "runtime/hal/OpenDevice.h"
#include "runtime/hal/vulkan/VulkanBuffer.h"
#include "runtime/hal/vulkan/VulkanDevice.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

namespace avila {
namespace {

namespace fb = artifact;
using vulkan::VulkanDevice;

std::vector<uint8_t> spirv(const std::string &shader) {
  const std::string path =
      std::string(AVILA_VULKAN_TEST_SHADERS) + "/" + shader + ".spv";
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file) << path;
  return {std::istreambuf_iterator<char>(file),
          std::istreambuf_iterator<char>()};
}

// Kernel 0 "axpy" (a, b; count, scale; y): y = a · scale + b.
// Kernel 1 "transpose" (in; rows, cols; out): out[c][r] = in[r][c] + r.
fb::ArtifactT kernelTable() {
  fb::ArtifactT artifact;
  artifact.format_version = kArtifactFormatVersion;
  artifact.target = fb::Target::Vulkan;
  using enum fb::BindingAccess;
  for (auto [name, bindings, inputs, workgroup] :
       {std::tuple{"axpy", std::vector{Read, Read, Write}, 2u,
                   std::vector<uint32_t>{64, 1, 1}},
        std::tuple{"transpose", std::vector{Read, Write}, 1u,
                   std::vector<uint32_t>{8, 8, 1}}}) {
    const std::vector<uint8_t> module = spirv(name);
    auto kernel = std::make_unique<fb::KernelT>();
    kernel->name = name;
    kernel->entry_point = "main";
    kernel->workgroup_size = workgroup;
    kernel->bindings = bindings;
    kernel->input_bindings = inputs;
    kernel->push_constants = {{0, fb::ElementType::I32},
                              {4, fb::ElementType::I32}};
    kernel->code_offset = artifact.code.size();
    kernel->code_size = module.size();
    artifact.code.insert(artifact.code.end(), module.begin(), module.end());
    artifact.kernels.push_back(std::move(kernel));
  }
  return artifact;
}

Artifact pack(fb::ArtifactT artifact) {
  artifact.code_size = artifact.code.size();
  artifact.code_crc32 = codeChecksum(artifact.code);
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(fb::Artifact::Pack(builder, &artifact),
                 fb::ArtifactIdentifier());
  return Artifact({builder.GetBufferPointer(),
                   builder.GetBufferPointer() + builder.GetSize()});
}

std::string errorOf(const std::function<void()> &action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

std::vector<float> randomValues(size_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(generator);
  return values;
}

std::span<const std::byte> bytesOf(const std::vector<float> &values) {
  return std::as_bytes(std::span(values));
}

std::vector<float> downloadFloats(const hal::Buffer &buffer, int64_t offset,
                                  size_t count) {
  std::vector<float> values(count);
  buffer.download(offset, std::as_writable_bytes(std::span(values)));
  return values;
}

hal::BufferBinding whole(hal::Buffer &buffer) {
  return {&buffer, 0, buffer.size(), {buffer.size() / 4}};
}

int64_t workgroupsFor(int64_t items, int64_t size) {
  return (items + size - 1) / size;
}

class VulkanHal : public testing::Test {
protected:
  void SetUp() override {
    device = std::make_unique<VulkanDevice>("vulkan");
    library = device->loadKernelLibrary(pack(kernelTable()));
  }

  /// Records y = a · scale + b over `count` floats of each buffer.
  void axpy(hal::CommandBuffer &commands, hal::Buffer &a, hal::Buffer &b,
            hal::Buffer &y, int64_t count, int64_t scale) {
    const std::vector<int64_t> constants = {count, scale};
    commands.dispatch(*library, 0, std::vector{whole(a), whole(b), whole(y)},
                      constants, {workgroupsFor(count, 64), 1, 1});
  }

  std::unique_ptr<VulkanDevice> device;
  std::unique_ptr<hal::KernelLibrary> library;
};

TEST_F(VulkanHal, AxpyMatchesTheHostOnOddSizes) {
  for (size_t count : {1u, 63u, 65u, 1001u, 100003u}) {
    const std::vector<float> a = randomValues(count, 1),
                             b = randomValues(count, 2);
    auto bufferA = device->allocate(4 * count, "a");
    auto bufferB = device->allocate(4 * count, "b");
    auto bufferY = device->allocate(4 * count, "y");
    bufferA->upload(0, bytesOf(a));
    bufferB->upload(0, bytesOf(b));
    auto commands = device->createCommandBuffer();
    axpy(*commands, *bufferA, *bufferB, *bufferY, count, 3);
    device->submitAndWait(*commands, nullptr);
    const std::vector<float> y = downloadFloats(*bufferY, 0, count);
    for (size_t i = 0; i < count; ++i)
      ASSERT_FLOAT_EQ(y[i], a[i] * 3.0f + b[i])
          << "count " << count << " i " << i;
  }
}

TEST_F(VulkanHal, TwoDimensionalKernelUsesWorkgroupsAlongY) {
  const int64_t rows = 37, cols = 21;
  const std::vector<float> source = randomValues(rows * cols, 3);
  auto in = device->allocate(4 * rows * cols, "in");
  auto out = device->allocate(4 * rows * cols, "out");
  in->upload(0, bytesOf(source));
  auto commands = device->createCommandBuffer();
  const std::vector<int64_t> constants = {rows, cols};
  commands->dispatch(*library, 1, std::vector{whole(*in), whole(*out)},
                     constants,
                     {workgroupsFor(cols, 8), workgroupsFor(rows, 8), 1});
  device->submitAndWait(*commands, nullptr);
  const std::vector<float> target = downloadFloats(*out, 0, rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      ASSERT_EQ(target[c * rows + r], source[r * cols + c] + float(r))
          << r << ", " << c;
}

// y = a · 2 + b, then z = y · 3 + a: the second dispatch reads what the
// first wrote; the command buffer is submitted twice, with new inputs.
TEST_F(VulkanHal, BarriersOrderDispatchesAndRecordingsReplay) {
  const size_t count = 4099;
  auto a = device->allocate(4 * count, "a");
  auto b = device->allocate(4 * count, "b");
  auto y = device->allocate(4 * count, "y");
  auto z = device->allocate(4 * count, "z");
  auto commands = device->createCommandBuffer();
  axpy(*commands, *a, *b, *y, count, 2);
  commands->barrier();
  axpy(*commands, *y, *a, *z, count, 3);
  for (uint32_t run = 0; run < 2; ++run) {
    const std::vector<float> hostA = randomValues(count, 10 + run),
                             hostB = randomValues(count, 20 + run);
    a->upload(0, bytesOf(hostA));
    b->upload(0, bytesOf(hostB));
    std::vector<double> seconds;
    device->submitAndWait(*commands, run == 1 ? &seconds : nullptr);
    const std::vector<float> result = downloadFloats(*z, 0, count);
    for (size_t i = 0; i < count; ++i)
      ASSERT_FLOAT_EQ(result[i], (hostA[i] * 2.0f + hostB[i]) * 3.0f + hostA[i])
          << "run " << run << " i " << i;
    if (run == 1) {
      ASSERT_EQ(seconds.size(), 2u);
      for (double time : seconds)
        EXPECT_GE(time, 0.0);
    }
  }
}

TEST_F(VulkanHal, UploadsAndDownloadsRangesMappedOrStaged) {
  for (vulkan::Placement placement :
       {vulkan::Placement::Device, vulkan::Placement::DeviceUnmapped}) {
    vulkan::VulkanBuffer buffer(*device, 64, "the test buffer", placement);
    EXPECT_EQ(buffer.mapping() == nullptr,
              placement == vulkan::Placement::DeviceUnmapped);
    const std::vector<float> values = {1, 2, 3, 4, 5};
    buffer.upload(12, bytesOf(values));
    EXPECT_EQ(downloadFloats(buffer, 16, 3), (std::vector<float>{2, 3, 4}));
    EXPECT_EQ(errorOf([&] { buffer.upload(48, bytesOf(values)); }),
              "cannot upload 20 bytes at offset 48 of the test buffer, a "
              "64-byte buffer");
  }
  // Kernels read and write unmapped buffers as any other.
  const std::vector<float> a = randomValues(100, 5), b = randomValues(100, 6);
  vulkan::VulkanBuffer bufferA(*device, 400, "a",
                               vulkan::Placement::DeviceUnmapped);
  vulkan::VulkanBuffer bufferB(*device, 400, "b",
                               vulkan::Placement::DeviceUnmapped);
  vulkan::VulkanBuffer bufferY(*device, 400, "y",
                               vulkan::Placement::DeviceUnmapped);
  bufferA.upload(0, bytesOf(a));
  bufferB.upload(0, bytesOf(b));
  auto commands = device->createCommandBuffer();
  axpy(*commands, bufferA, bufferB, bufferY, 100, 5);
  device->submitAndWait(*commands, nullptr);
  const std::vector<float> y = downloadFloats(bufferY, 0, 100);
  for (size_t i = 0; i < y.size(); ++i)
    ASSERT_FLOAT_EQ(y[i], a[i] * 5.0f + b[i]);
}

TEST_F(VulkanHal, EmptyBuffersAndBindingsWork) {
  auto empty = device->allocate(0, "an empty buffer");
  EXPECT_EQ(empty->size(), 0);
  auto commands = device->createCommandBuffer();
  const std::vector<int64_t> constants = {0, 1};
  const hal::BufferBinding nothing = whole(*empty);
  commands->dispatch(*library, 0, std::vector{nothing, nothing, nothing},
                     constants, {1, 1, 1});
  device->submitAndWait(*commands, nullptr);
}

// Staged uploads do not count: only the buffers the device hands out.
TEST_F(VulkanHal, MemoryUseCountsLiveBuffersAndThePeak) {
  const int64_t before = device->memoryUse().current();
  {
    auto a = device->allocate(4096, "a");
    auto b = device->allocate(1024, "b");
    const std::vector<float> values(1024, 1.0f);
    a->upload(0, std::as_bytes(std::span(values)));
    EXPECT_EQ(device->memoryUse().current(), before + 5120);
  }
  EXPECT_EQ(device->memoryUse().current(), before);
  EXPECT_GE(device->memoryUse().peak(), before + 5120);
}

TEST_F(VulkanHal, OutOfMemorySaysHowMuch) {
  const std::string error =
      errorOf([&] { device->allocate(int64_t(1) << 46, "the huge buffer"); });
  EXPECT_TRUE(error.starts_with("the huge buffer: cannot allocate 67108864 "
                                "MiB on vulkan:"))
      << error;
  EXPECT_NE(error.find("MiB of device memory)"), std::string::npos) << error;
}

TEST_F(VulkanHal, BindingsBeyondTheDeviceLimitsAreRefused) {
  const int64_t limit = device->properties().limits.maxStorageBufferRange;
  auto large = device->allocate(limit + 4, "the large buffer");
  auto small = device->allocate(64, "the small buffer");
  auto commands = device->createCommandBuffer();
  const std::vector<int64_t> constants = {1, 1};
  EXPECT_EQ(errorOf([&] {
              commands->dispatch(
                  *library, 0,
                  std::vector{whole(*large), whole(*small), whole(*small)},
                  constants, {1, 1, 1});
            }),
            "dispatch of kernel 'axpy': binding 0 (the large buffer, " +
                std::to_string(limit + 4) + " bytes) is longer than " +
                device->name() + " binds at once (maxStorageBufferRange: " +
                std::to_string(limit) + " bytes)");
  const hal::BufferBinding misaligned{small.get(), 4, 16, {4}};
  EXPECT_NE(errorOf([&] {
              commands->dispatch(
                  *library, 0,
                  std::vector{misaligned, whole(*small), whole(*small)},
                  constants, {1, 1, 1});
            }).find("starts at offset 4, not a multiple of"),
            std::string::npos);
}

TEST(VulkanKernels, HostileKernelsAreRefused) {
  VulkanDevice device("vulkan");
  auto expectRefused = [&](const std::function<void(fb::ArtifactT &)> &change,
                           const std::string &message) {
    fb::ArtifactT artifact = kernelTable();
    change(artifact);
    const std::string error =
        errorOf([&] { device.loadKernelLibrary(pack(std::move(artifact))); });
    EXPECT_NE(error.find(message), std::string::npos)
        << "expected: " << message << "\ngot: " << error;
  };
  expectRefused([](fb::ArtifactT &a) { a.kernels[1]->entry_point = "nope"; },
                "kernel 'transpose': its SPIR-V module has no compute entry "
                "point 'nope' (it has 'main')");
  expectRefused(
      [](fb::ArtifactT &a) { a.kernels[1]->code_offset = a.code.size(); },
      "corrupt artifact: kernel 'transpose' code range [" +
          std::to_string(kernelTable().code.size()) + ", ");
  expectRefused(
      [](fb::ArtifactT &a) {
        const std::string text = "this is not SPIR-V at all";
        std::copy(text.begin(), text.begin() + 24, a.code.begin());
      },
      "corrupt artifact: kernel 'axpy' code is not SPIR-V (no magic number)");
  expectRefused([](fb::ArtifactT &a) { a.target = fb::Target::X86; },
                "corrupt artifact: kernel 'axpy' has a code range, which only "
                "Vulkan kernels have");
  expectRefused([](fb::ArtifactT &a) { a.kernels[0]->code_size = 6; },
                "corrupt artifact: kernel 'axpy' code range of 6 bytes at "
                "offset 0 is not a SPIR-V module");
  expectRefused(
      [](fb::ArtifactT &a) {
        // A header, then an instruction claiming more words than remain.
        a.code = {0x03, 0x02, 0x23, 0x07, 0, 0, 1, 0, 0, 0, 0, 0,
                  1,    0,    0,    0,    0, 0, 0, 0, 4, 0, 9, 0};
        a.kernels.resize(1);
        a.kernels[0]->code_size = a.code.size();
      },
      "malformed SPIR-V: the instruction at word 5 claims 9 words");
  expectRefused(
      [](fb::ArtifactT &a) { a.target_features = {"shaderFloat16", "warp9"}; },
      "the artifact needs 'warp9', which this runtime does not know");
  expectRefused(
      [](fb::ArtifactT &a) { a.target_features = {"cooperativeMatrix"}; },
      "the artifact needs 'cooperativeMatrix', which " + device.name() +
          " lacks");
  expectRefused(
      [](fb::ArtifactT &a) { a.target_features = {"subgroupSize=64"}; },
      "the artifact needs 'subgroupSize=64', which " + device.name() +
          " lacks (it has subgroup size ");
  expectRefused(
      [](fb::ArtifactT &a) {
        a.kernels[0]->push_constants[1] = {4, fb::ElementType::F32};
      },
      "kernel 'axpy' takes push constant 1 as F32: the vulkan device passes "
      "I32 or I64");
  expectRefused(
      [](fb::ArtifactT &a) {
        a.kernels[0]->push_constants[1] = {252, fb::ElementType::I32};
      },
      "kernel 'axpy' takes 256 bytes of push constants; " + device.name() +
          " takes at most " +
          std::to_string(device.properties().limits.maxPushConstantsSize));
  expectRefused(
      [](fb::ArtifactT &a) {
        a.kernels[0]->bindings.resize(1000, fb::BindingAccess::Read);
      },
      "kernel 'axpy' takes 1000 buffers; " + device.name() + " binds at most ");
  // What the device has is accepted.
  fb::ArtifactT artifact = kernelTable();
  artifact.target_features = {
      "shaderFloat16", "storageBuffer16BitAccess", "subgroupArithmetic",
      "subgroupSize=" + std::to_string(device.properties().subgroupSize),
      "maxComputeSharedMemorySize>=16384"};
  EXPECT_EQ(errorOf([&] { device.loadKernelLibrary(pack(artifact)); }), "");
}

TEST(VulkanDevices, AreListedAndSelectedByName) {
  const std::vector<std::string> lines = hal::listDevices();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_TRUE(lines[0].starts_with("cpu")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with("vulkan:0  llvmpipe")) << lines[1];
  EXPECT_NE(lines[1].find("cooperative matrix no"), std::string::npos);
  const std::string missing =
      errorOf([] { hal::openDevice("vulkan:99", fb::Target::Vulkan); });
  EXPECT_TRUE(missing.starts_with("there is no device vulkan:99: this "
                                  "machine has 1 Vulkan device:"))
      << missing;
  EXPECT_NE(missing.find("llvmpipe"), std::string::npos);
  EXPECT_NE(errorOf([] { hal::openDevice("gpu", fb::Target::Vulkan); })
                .find("unknown device 'gpu': name cpu, vulkan, vulkan:N or "
                      "auto; this machine has:"),
            std::string::npos);
  EXPECT_TRUE(errorOf([] {
                hal::openDevice("vulkan:x", fb::Target::Vulkan);
              }).starts_with("unknown device 'vulkan:x'"));
  EXPECT_EQ(hal::openDevice("auto", fb::Target::Vulkan)->target(),
            fb::Target::Vulkan);
  EXPECT_EQ(hal::openDevice("auto", fb::Target::X86, 1)->name(), "cpu");
  const auto cpu = hal::openDevice("cpu", fb::Target::Vulkan, 1);
  EXPECT_EQ(errorOf([&] { cpu->loadKernelLibrary(pack(kernelTable())); }),
            "the cpu device runs X86 artifacts, not Vulkan");
}

// Entry point "f" (a) -> y = a · 3 + a through the executor, with the
// workgroup count and the element count as size expressions of a's length.
Artifact quadruplingEntryPoint() {
  fb::ArtifactT artifact = kernelTable();
  auto entry = std::make_unique<fb::EntryPointT>();
  entry->name = "f";
  for (auto *list : {&entry->inputs, &entry->outputs}) {
    auto spec = std::make_unique<fb::TensorSpecT>();
    spec->name = list == &entry->inputs ? "a" : "y";
    spec->shape = {0};
    list->push_back(std::move(spec));
  }
  auto expr = [&](fb::ExprOp op, int64_t value, uint32_t lhs, uint32_t rhs) {
    auto node = std::make_unique<fb::ExprT>();
    node->op = op;
    node->value = value;
    node->lhs = lhs;
    node->rhs = rhs;
    entry->exprs.push_back(std::move(node));
  };
  expr(fb::ExprOp::InputDim, 0, 0, 0); // 0: n
  expr(fb::ExprOp::Constant, 3, 0, 0); // 1
  expr(fb::ExprOp::Constant, 1, 0, 0); // 2
  expr(fb::ExprOp::Constant, 64, 0, 0);
  expr(fb::ExprOp::CeilDiv, 0, 0, 3);  // 4: workgroups along x
  expr(fb::ExprOp::Constant, 0, 0, 0); // 5: no arena
  auto dispatch = std::make_unique<fb::DispatchT>();
  for (auto kind : {fb::BindingKind::Input, fb::BindingKind::Input,
                    fb::BindingKind::Output}) {
    auto binding = std::make_unique<fb::BindingT>();
    binding->kind = kind;
    binding->shape = {0};
    dispatch->bindings.push_back(std::move(binding));
  }
  dispatch->push_constants = {0, 1};
  dispatch->workgroup_count = {4, 2, 2};
  entry->dispatches.push_back(std::move(dispatch));
  entry->arena_size = 5;
  artifact.entry_points.push_back(std::move(entry));
  return pack(std::move(artifact));
}

TEST(VulkanExecutable, RunsAnEntryPointAndReplaysIt) {
  Executable executable(quadruplingEntryPoint(), 0, "vulkan");
  for (int64_t count : {1001, 7, 1001}) {
    HostTensor a;
    a.shape = {count};
    a.floats = randomValues(count, static_cast<uint32_t>(count));
    std::vector<Executable::DispatchTime> profile;
    const std::vector<HostTensor> outputs = executable.run("f", {a}, &profile);
    ASSERT_EQ(outputs[0].floats.size(), static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i)
      ASSERT_FLOAT_EQ(outputs[0].floats[i], a.floats[i] * 3.0f + a.floats[i]);
    ASSERT_EQ(profile.size(), 1u);
    EXPECT_EQ(profile[0].kernel->name()->str(), "axpy");
  }
}

TEST(VulkanDevices, NoDriverIsAClearError) {
  ASSERT_EQ(setenv("VK_ICD_FILENAMES", "/no/such/driver.json", 1), 0);
  EXPECT_TRUE(errorOf([] {
                hal::openDevice("vulkan", fb::Target::Vulkan);
              }).starts_with("no Vulkan driver on this machine"));
  const std::vector<std::string> lines = hal::listDevices();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(lines[1].starts_with("vulkan: none (no Vulkan driver"))
      << lines[1];
}

// A pipeline cache that is garbage is ignored, one that cannot be written
// costs nothing but the warning, and a good one is written for next time.
TEST(VulkanPipelineCache, OnlyEverSavesTime) {
  const std::filesystem::path folder =
      std::filesystem::path(testing::TempDir()) / "avila-pipeline-cache";
  std::filesystem::remove_all(folder);
  ASSERT_EQ(setenv("XDG_CACHE_HOME", folder.c_str(), 1), 0);
  {
    VulkanDevice device("vulkan");
    device.loadKernelLibrary(pack(kernelTable()));
  }
  ASSERT_TRUE(std::filesystem::exists(folder / "avila"));
  const auto entry = *std::filesystem::directory_iterator(folder / "avila");
  // At least the header (lavapipe keeps nothing else).
  EXPECT_GE(entry.file_size(), 32u);
  std::ofstream(entry.path(), std::ios::trunc) << "garbage";
  {
    VulkanDevice device("vulkan");
    EXPECT_EQ(errorOf([&] { device.loadKernelLibrary(pack(kernelTable())); }),
              "");
  }
  EXPECT_GE(std::filesystem::file_size(entry.path()), 32u);
  ASSERT_EQ(setenv("XDG_CACHE_HOME", "/proc/no-such-folder", 1), 0);
  VulkanDevice device("vulkan");
  EXPECT_EQ(errorOf([&] { device.loadKernelLibrary(pack(kernelTable())); }),
            "");
}

// The Khronos validation layer watches a whole dispatch + barrier schedule;
// any error it reports fails the submission (VulkanInstance collects them).
TEST(VulkanValidation, TheLayerReportsNothing) {
  ASSERT_EQ(setenv("VK_INSTANCE_LAYERS", "VK_LAYER_KHRONOS_validation", 1), 0);
  VulkanDevice device("vulkan");
  unsetenv("VK_INSTANCE_LAYERS");
  auto library = device.loadKernelLibrary(pack(kernelTable()));
  const size_t count = 300;
  const std::vector<float> a = randomValues(count, 7),
                           b = randomValues(count, 8);
  auto bufferA = device.allocate(4 * count, "a");
  auto bufferB = device.allocate(4 * count, "b");
  auto bufferY = device.allocate(4 * count, "y");
  auto bufferZ = device.allocate(4 * count, "z");
  bufferA->upload(0, bytesOf(a));
  bufferB->upload(0, bytesOf(b));
  auto commands = device.createCommandBuffer();
  const std::vector<int64_t> constants = {count, 2};
  commands->dispatch(
      *library, 0,
      std::vector{whole(*bufferA), whole(*bufferB), whole(*bufferY)}, constants,
      {workgroupsFor(count, 64), 1, 1});
  commands->barrier();
  commands->dispatch(
      *library, 0,
      std::vector{whole(*bufferY), whole(*bufferA), whole(*bufferZ)}, constants,
      {workgroupsFor(count, 64), 1, 1});
  std::vector<double> seconds;
  EXPECT_EQ(errorOf([&] { device.submitAndWait(*commands, &seconds); }), "");
  EXPECT_EQ(errorOf([&] { device.submitAndWait(*commands, nullptr); }), "");
  const std::vector<float> z = downloadFloats(*bufferZ, 0, count);
  for (size_t i = 0; i < count; ++i)
    ASSERT_FLOAT_EQ(z[i], (a[i] * 2.0f + b[i]) * 2.0f + a[i]);
}

} // namespace
} // namespace avila
