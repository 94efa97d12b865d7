//===- CpuHalTest.cpp - The CPU device behind the HAL interfaces ----------===//
//
// The CPU HAL's pieces on kernels of our own, and the executor on them.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/executor/CommandCache.h"
#include "runtime/executor/Executable.h"
#include "runtime/hal/cpu/CpuDevice.h"
#include "runtime/hal/cpu/CpuKernelLibrary.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>

namespace avila {
namespace {

namespace fb = artifact;

// An artifact whose code is the shared object of HalTestKernels.cpp:
// kernel 0 "scale" (x; factor; y), kernel 1 "add" (a, b; ; c).
fb::ArtifactT kernelTable(fb::Target target) {
  std::ifstream file(AVILA_HAL_TEST_KERNELS, std::ios::binary);
  EXPECT_TRUE(file) << AVILA_HAL_TEST_KERNELS;
  const std::vector<uint8_t> code((std::istreambuf_iterator<char>(file)),
                                  std::istreambuf_iterator<char>());
  fb::ArtifactT artifact;
  artifact.format_version = kArtifactFormatVersion;
  artifact.target = target;
  using enum fb::BindingAccess;
  for (auto [name, bindings, inputs, constants] :
       {std::tuple{"scale", std::vector{Read, Write}, 1u, 1u},
        std::tuple{"add", std::vector{Read, Read, Write}, 2u, 0u}}) {
    auto kernel = std::make_unique<fb::KernelT>();
    kernel->name = name;
    kernel->entry_point = std::string(cpu::kKernelSymbolPrefix) + name;
    kernel->workgroup_size = {1, 1, 1};
    kernel->bindings = bindings;
    kernel->input_bindings = inputs;
    for (uint32_t i = 0; i < constants; ++i)
      kernel->push_constants.emplace_back(8 * i, fb::ElementType::I64);
    artifact.kernels.push_back(std::move(kernel));
  }
  artifact.code = code;
  artifact.code_size = code.size();
  artifact.code_crc32 = codeChecksum(code);
  return artifact;
}

Artifact pack(const fb::ArtifactT &artifact) {
  flatbuffers::FlatBufferBuilder builder;
  builder.Finish(fb::Artifact::Pack(builder, &artifact),
                 fb::ArtifactIdentifier());
  return Artifact({builder.GetBufferPointer(),
                   builder.GetBufferPointer() + builder.GetSize()});
}

Artifact testKernels(fb::Target target = fb::Target::X86) {
  return pack(kernelTable(target));
}

std::string errorOf(const std::function<void()> &action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

std::span<const std::byte> bytesOf(const std::vector<float> &values) {
  return std::as_bytes(std::span(values));
}

TEST(CpuHal, RangesFitWithoutOverflow) {
  EXPECT_TRUE(hal::rangeFits(0, 16, 16));
  EXPECT_TRUE(hal::rangeFits(16, 0, 16));
  EXPECT_FALSE(hal::rangeFits(8, 9, 16));
  EXPECT_FALSE(hal::rangeFits(17, 0, 16));
  EXPECT_FALSE(hal::rangeFits(-1, 1, 16));
  EXPECT_FALSE(hal::rangeFits(0, -1, 16));
  EXPECT_FALSE(hal::rangeFits(INT64_MAX, INT64_MAX, 16));
  EXPECT_FALSE(hal::rangeFits(8, INT64_MAX, INT64_MAX));
}

TEST(CpuHal, BuffersKeepTheirBounds) {
  cpu::CpuDevice device(1);
  std::unique_ptr<hal::Buffer> buffer = device.allocate(16, "the test buffer");
  EXPECT_EQ(buffer->size(), 16);
  ASSERT_NE(buffer->mapping(), nullptr);
  const std::vector<float> values = {1, 2, 3, 4};
  buffer->upload(0, bytesOf(values));
  std::vector<float> back(2);
  buffer->download(8, std::as_writable_bytes(std::span(back)));
  EXPECT_EQ(back, (std::vector<float>{3, 4}));
  EXPECT_EQ(errorOf([&] { buffer->upload(12, bytesOf(values)); }),
            "cannot upload 16 bytes at offset 12 of the test buffer, a "
            "16-byte buffer");
  EXPECT_EQ(errorOf([&] {
              buffer->download(-4, std::as_writable_bytes(std::span(back)));
            }),
            "cannot download 8 bytes at offset -4 of the test buffer, a "
            "16-byte buffer");
  EXPECT_EQ(errorOf([&] { device.allocate(-1, "a negative buffer"); }),
            "cannot allocate a negative buffer of -1 bytes");
  EXPECT_EQ(errorOf([&] { device.allocate(INT64_MAX, "a huge buffer"); }),
            "cannot allocate a huge buffer (9223372036854775807 bytes) in "
            "host memory");
  // An empty buffer is a valid binding target of nothing.
  EXPECT_EQ(device.allocate(0, "an empty buffer")->size(), 0);
}

// Live bytes fall as buffers go, the peak stays; a failed allocation counts
// nothing.
TEST(CpuHal, MemoryUseCountsLiveBuffersAndThePeak) {
  cpu::CpuDevice device(1);
  auto weights = device.allocate(1000, "weights");
  {
    auto arena = device.allocate(300, "arena");
    EXPECT_EQ(device.memoryUse().current(), 1300);
  }
  auto output = device.allocate(200, "output");
  EXPECT_FALSE(errorOf([&] { device.allocate(INT64_MAX, "huge"); }).empty());
  EXPECT_EQ(device.memoryUse().current(), 1200);
  EXPECT_EQ(device.memoryUse().peak(), 1300);
  weights.reset();
  output.reset();
  EXPECT_EQ(device.memoryUse().current(), 0);
  EXPECT_EQ(device.memoryUse().peak(), 1300);
}

TEST(CpuHal, PushConstantsOtherThanTheAbisInt64AreRefused) {
  cpu::CpuDevice device(1);
  fb::ArtifactT artifact = kernelTable(fb::Target::X86);
  artifact.kernels[0]->push_constants[0] = {0, fb::ElementType::I32};
  EXPECT_EQ(errorOf([&] { device.loadKernelLibrary(pack(artifact)); }),
            "kernel 'scale' takes push constant 0 as I32 at offset 0: the cpu "
            "device passes I64 at offset 0");
}

TEST(CpuHal, KernelsAreFoundByIndexAndName) {
  cpu::CpuDevice device(1);
  std::unique_ptr<hal::KernelLibrary> library =
      device.loadKernelLibrary(testKernels());
  EXPECT_EQ(library->size(), 2u);
  EXPECT_EQ(library->find("add"), 1u);
  EXPECT_EQ(library->find("mul"), std::nullopt);
  EXPECT_EQ(library->signature(0).name, "scale");
  EXPECT_EQ(library->signature(1).inputBindings, 2u);
  EXPECT_EQ(errorOf([&] { library->signature(2); }),
            "kernel 2 does not exist: the library has 2");
  // Vulkan kernels need SPIR-V ranges, which the reader checks first.
  fb::ArtifactT vulkan = kernelTable(fb::Target::Vulkan);
  vulkan.kernels.clear();
  EXPECT_EQ(errorOf([&] { device.loadKernelLibrary(pack(vulkan)); }),
            "the cpu device runs X86 artifacts, not Vulkan");
}

// scale (y = 3·x) then, after a barrier, add (z = y + x), with the vectors
// at offsets inside larger buffers, against the same kernels called
// directly on host vectors.
TEST(CpuHal, ARecordedDispatchComputesWhatADirectCallDoes) {
  const std::vector<float> x = {1.5f, -2, 0.25f, 7};
  std::vector<float> directY(4), directZ(4);
  cpu::CpuDevice device(2);
  const Artifact artifact = testKernels();
  std::unique_ptr<hal::KernelLibrary> library =
      device.loadKernelLibrary(artifact);
  const auto &native = dynamic_cast<const cpu::CpuKernelLibrary &>(*library);
  {
    const std::vector<cpu::BufferRef> scaleInput = {
        {const_cast<float *>(x.data()), {4}}};
    const std::vector<cpu::BufferRef> scaleResult = {{directY.data(), {4}}};
    std::vector<int64_t> args = cpu::kernelArguments(scaleInput);
    args.push_back(3);
    for (int64_t arg : cpu::kernelArguments(scaleResult))
      args.push_back(arg);
    native.function(0)(args.data());
    const std::vector<cpu::BufferRef> add = {
        {directY.data(), {4}},
        {const_cast<float *>(x.data()), {4}},
        {directZ.data(), {4}}};
    args = cpu::kernelArguments(add);
    native.function(1)(args.data());
  }
  ASSERT_EQ(directZ, (std::vector<float>{6, -8, 1, 28}));

  std::unique_ptr<hal::Buffer> input = device.allocate(64, "the input");
  std::unique_ptr<hal::Buffer> work = device.allocate(96, "the work buffer");
  input->upload(32, bytesOf(x));
  const hal::BufferBinding xRange{input.get(), 32, 16, {4}};
  const hal::BufferBinding yRange{work.get(), 16, 16, {4}};
  const hal::BufferBinding zRange{work.get(), 64, 16, {4}};
  std::unique_ptr<hal::CommandBuffer> commands = device.createCommandBuffer();
  const int64_t factor = 3;
  commands->dispatch(*library, 0, std::vector{xRange, yRange},
                     std::span(&factor, 1), {1, 1, 1});
  commands->barrier();
  commands->dispatch(*library, 1, std::vector{yRange, xRange, zRange}, {},
                     {1, 1, 1});
  std::vector<double> seconds;
  device.submitAndWait(*commands, &seconds);
  EXPECT_EQ(seconds.size(), 2u);
  std::vector<float> y(4), z(4);
  work->download(16, std::as_writable_bytes(std::span(y)));
  work->download(64, std::as_writable_bytes(std::span(z)));
  EXPECT_EQ(y, directY);
  EXPECT_EQ(z, directZ);
}

TEST(CpuHal, ABindingOutsideItsBufferIsRefused) {
  cpu::CpuDevice device(1);
  std::unique_ptr<hal::KernelLibrary> library =
      device.loadKernelLibrary(testKernels());
  std::unique_ptr<hal::Buffer> small = device.allocate(16, "the small buffer");
  std::unique_ptr<hal::Buffer> large = device.allocate(64, "the large buffer");
  std::unique_ptr<hal::CommandBuffer> commands = device.createCommandBuffer();
  const int64_t factor = 2;
  auto dispatchScale = [&](hal::BufferBinding x, hal::BufferBinding y,
                           hal::WorkgroupCount workgroups = {1, 1, 1}) {
    return errorOf([&] {
      commands->dispatch(*library, 0, std::vector{x, y}, std::span(&factor, 1),
                         workgroups);
    });
  };
  const hal::BufferBinding inside{large.get(), 0, 16, {4}};
  EXPECT_EQ(dispatchScale(inside, {small.get(), 4, 16, {4}}),
            "dispatch of kernel 'scale': binding 1 (16 bytes at offset 4) "
            "does not lie within the small buffer, a 16-byte buffer");
  EXPECT_EQ(dispatchScale({large.get(), -16, 16, {4}}, inside),
            "dispatch of kernel 'scale': binding 0 (16 bytes at offset -16) "
            "does not lie within the large buffer, a 64-byte buffer");
  EXPECT_EQ(dispatchScale(inside, {nullptr, 0, 16, {4}}),
            "dispatch of kernel 'scale': binding 1 has no buffer");
  EXPECT_EQ(dispatchScale(inside, inside, {1, 0, 1}),
            "dispatch of kernel 'scale': 0 workgroups along y, outside [1, "
            "65535]");
  EXPECT_EQ(dispatchScale(inside, inside, {1, 1, hal::kMaxWorkgroupCount + 1}),
            "dispatch of kernel 'scale': 65536 workgroups along z, outside "
            "[1, 65535]");
  EXPECT_EQ(errorOf([&] {
              commands->dispatch(*library, 0, std::vector{inside}, {},
                                 {1, 1, 1});
            }),
            "dispatch of kernel 'scale': 1 bindings and 0 push constants, "
            "but the kernel takes 2 and 1");
  // Nothing refused was recorded: submitting runs no kernel.
  std::vector<double> seconds;
  device.submitAndWait(*commands, &seconds);
  EXPECT_TRUE(seconds.empty());
}

// An entry point "f" scaling its input x [n] by 3 into y, whose binding of
// y has the shape `yShape` (expression indices: 0 is n, 1 is 2^31).
Artifact scalingEntryPoint(std::vector<uint32_t> yShape) {
  fb::ArtifactT artifact = kernelTable(fb::Target::X86);
  auto entry = std::make_unique<fb::EntryPointT>();
  entry->name = "f";
  for (auto *list : {&entry->inputs, &entry->outputs}) {
    auto spec = std::make_unique<fb::TensorSpecT>();
    spec->name = list == &entry->inputs ? "x" : "y";
    spec->shape = {0};
    list->push_back(std::move(spec));
  }
  auto expr = [&](fb::ExprOp op, int64_t value) {
    auto node = std::make_unique<fb::ExprT>();
    node->op = op;
    node->value = value;
    entry->exprs.push_back(std::move(node));
  };
  expr(fb::ExprOp::InputDim, 0);
  expr(fb::ExprOp::Constant, int64_t(1) << 31);
  expr(fb::ExprOp::Constant, 3);
  expr(fb::ExprOp::Constant, 1);
  auto dispatch = std::make_unique<fb::DispatchT>();
  for (auto kind : {fb::BindingKind::Input, fb::BindingKind::Output}) {
    auto binding = std::make_unique<fb::BindingT>();
    binding->kind = kind;
    binding->shape =
        kind == fb::BindingKind::Input ? std::vector<uint32_t>{0} : yShape;
    dispatch->bindings.push_back(std::move(binding));
  }
  dispatch->push_constants = {2};
  dispatch->workgroup_count = {3, 3, 3};
  entry->dispatches.push_back(std::move(dispatch));
  entry->arena_size = 3;
  artifact.entry_points.push_back(std::move(entry));
  return pack(artifact);
}

TEST(Executable, RefusesABindingWhoseByteCountOverflows) {
  HostTensor x;
  x.shape = {4};
  x.floats = {1, 2, 3, 4};
  Executable plain(scalingEntryPoint({0}), 1);
  EXPECT_EQ(plain.run("f", {x})[0].floats, (std::vector<float>{3, 6, 9, 12}));
  // 2^31 · 2^31 · 4 floats: 2^66 bytes, 0 when counted modulo 2^64.
  Executable hostile(scalingEntryPoint({1, 1, 0}), 1);
  EXPECT_EQ(errorOf([&] { hostile.run("f", {x}); }),
            "f: a dispatch binding exceeds its buffer (corrupt artifact or "
            "inputs of inconsistent sizes)");
}

// Logs the dispatches ('D') and barriers ('B') recorded on the CPU device
// that runs them.
class RecordingCommandBuffer final : public hal::CommandBuffer {
public:
  RecordingCommandBuffer(std::unique_ptr<hal::CommandBuffer> inner,
                         std::string &log)
      : inner(std::move(inner)), log(log) {}
  void barrier() override {
    log += 'B';
    inner->barrier();
  }
  hal::CommandBuffer &wrapped() { return *inner; }

private:
  void record(const hal::KernelLibrary &library, uint32_t kernel,
              std::span<const hal::BufferBinding> bindings,
              std::span<const int64_t> constants,
              const hal::WorkgroupCount &workgroups) override {
    log += 'D';
    inner->dispatch(library, kernel, bindings, constants, workgroups);
  }
  std::unique_ptr<hal::CommandBuffer> inner;
  std::string &log;
};

class RecordingDevice final : public hal::Device {
public:
  std::string log;
  int commandBuffersCreated = 0;
  int submissions = 0;
  // Every buffer allocated, in order.
  std::vector<hal::Buffer *> buffers;
  std::string name() const override { return "recording cpu"; }
  fb::Target target() const override { return fb::Target::X86; }
  std::unique_ptr<hal::CommandBuffer> createCommandBuffer() override {
    ++commandBuffersCreated;
    return std::make_unique<RecordingCommandBuffer>(cpu.createCommandBuffer(),
                                                    log);
  }
  void submitAndWait(hal::CommandBuffer &commands,
                     std::vector<double> *dispatchSeconds) override {
    ++submissions;
    cpu.submitAndWait(static_cast<RecordingCommandBuffer &>(commands).wrapped(),
                      dispatchSeconds);
  }

private:
  std::unique_ptr<hal::Buffer> allocateMemory(int64_t bytes,
                                              std::string label) override {
    std::unique_ptr<hal::Buffer> buffer = cpu.allocate(bytes, std::move(label));
    buffers.push_back(buffer.get());
    return buffer;
  }
  std::unique_ptr<hal::KernelLibrary>
  loadCode(const Artifact &artifact) override {
    return cpu.loadKernelLibrary(artifact);
  }
  cpu::CpuDevice cpu{1};
};

// An entry point `name` over x [4]: a = 3x and b = 3x (independent), y = a +
// b (reads both), then a = 3x again (overwrites what y's dispatch read); it
// plans an arena of `arenaBytes` (at least 32).
std::unique_ptr<fb::EntryPointT> branchingEntry(std::string name,
                                                int64_t arenaBytes) {
  auto entry = std::make_unique<fb::EntryPointT>();
  entry->name = std::move(name);
  for (auto *list : {&entry->inputs, &entry->outputs}) {
    auto spec = std::make_unique<fb::TensorSpecT>();
    spec->name = list == &entry->inputs ? "x" : "y";
    spec->shape = {0};
    list->push_back(std::move(spec));
  }
  // 0: n, 1: the factor 3, 2: a's offset, 3: b's offset, 4: the arena size,
  // 5: one workgroup.
  entry->exprs.push_back(std::make_unique<fb::ExprT>());
  entry->exprs[0]->op = fb::ExprOp::InputDim;
  for (int64_t value :
       {int64_t(3), int64_t(0), int64_t(16), arenaBytes, int64_t(1)}) {
    entry->exprs.push_back(std::make_unique<fb::ExprT>());
    entry->exprs.back()->value = value;
  }
  entry->arena_size = 4;
  auto binding = [](fb::BindingKind kind, uint32_t offset = 0) {
    auto result = std::make_unique<fb::BindingT>();
    result->kind = kind;
    result->offset = offset;
    result->shape = {0};
    return result;
  };
  auto scaleXInto = [&](uint32_t offset) {
    auto dispatch = std::make_unique<fb::DispatchT>();
    dispatch->kernel = 0;
    dispatch->bindings.push_back(binding(fb::BindingKind::Input));
    dispatch->bindings.push_back(binding(fb::BindingKind::Arena, offset));
    dispatch->push_constants = {1};
    dispatch->workgroup_count = {5, 5, 5};
    entry->dispatches.push_back(std::move(dispatch));
  };
  scaleXInto(2);
  scaleXInto(3);
  auto add = std::make_unique<fb::DispatchT>();
  add->kernel = 1;
  add->bindings.push_back(binding(fb::BindingKind::Arena, 2));
  add->bindings.push_back(binding(fb::BindingKind::Arena, 3));
  add->bindings.push_back(binding(fb::BindingKind::Output));
  add->workgroup_count = {5, 5, 5};
  entry->dispatches.push_back(std::move(add));
  scaleXInto(2);
  return entry;
}

Artifact branchingEntryPoint() {
  fb::ArtifactT artifact = kernelTable(fb::Target::X86);
  artifact.entry_points.push_back(branchingEntry("f", 32));
  return pack(artifact);
}

TEST(Executable, BarriersOnlyWhereADispatchTouchesWhatAnEarlierOneWrote) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(branchingEntryPoint(), std::move(device));
  HostTensor x;
  x.shape = {4};
  x.floats = {1, 2, 3, 4};
  EXPECT_EQ(executable.run("f", {x})[0].floats,
            (std::vector<float>{6, 12, 18, 24}));
  // No barrier between the two independent scales; the add reads what they
  // wrote; the last scale overwrites what the add read.
  EXPECT_EQ(recording.log, "DDBDBD");
}

TEST(Executable, WeightsAreBoundInTheirDeclaredElementType) {
  fb::ArtifactT artifact = kernelTable(fb::Target::X86);
  for (auto [name, type] : {std::pair{"h", fb::ElementType::F16},
                            std::pair{"b", fb::ElementType::BF16}}) {
    auto weight = std::make_unique<fb::WeightT>();
    weight->component = "unet";
    weight->name = name;
    weight->shape = {2, 2};
    weight->element_type = type;
    artifact.weights.push_back(std::move(weight));
  }
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(pack(artifact), std::move(device));
  executable.bindWeights([](const fb::Weight &, std::span<float> values) {
    std::copy_n(std::begin({1.0f, 0.5f, 65504.0f, 1.0f / 3}), 4,
                values.begin());
  });
  ASSERT_EQ(recording.buffers.size(), 2u);
  auto bitsOf = [](hal::Buffer &buffer) {
    std::vector<uint16_t> bits(buffer.size() / 2);
    buffer.download(0, std::as_writable_bytes(std::span(bits)));
    return bits;
  };
  EXPECT_EQ(bitsOf(*recording.buffers[0]),
            (std::vector<uint16_t>{0x3c00, 0x3800, 0x7bff, 0x3555}));
  EXPECT_EQ(bitsOf(*recording.buffers[1]),
            (std::vector<uint16_t>{0x3f80, 0x3f00, 0x4780, 0x3eab}));
}

HostTensor ramp(int64_t n, float first) {
  HostTensor x;
  x.shape = {n};
  for (int64_t i = 0; i < n; ++i)
    x.floats.push_back(first + static_cast<float>(i));
  return x;
}

TEST(Executable, TheSameShapesReplayTheRecordedCommandBuffer) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(scalingEntryPoint({0}), std::move(device));
  EXPECT_EQ(executable.run("f", {ramp(4, 1)})[0].floats,
            (std::vector<float>{3, 6, 9, 12}));
  // New values go into the buffers the recorded dispatch reads.
  EXPECT_EQ(executable.run("f", {ramp(4, 5)})[0].floats,
            (std::vector<float>{15, 18, 21, 24}));
  EXPECT_EQ(executable.run("f", {ramp(4, 1)})[0].floats,
            (std::vector<float>{3, 6, 9, 12}));
  EXPECT_EQ(recording.commandBuffersCreated, 1);
  EXPECT_EQ(recording.submissions, 3);
  EXPECT_EQ(recording.log, "D");
}

TEST(Executable, OtherShapesAreRecordedAgainAndKeptBeside) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(scalingEntryPoint({0}), std::move(device));
  executable.run("f", {ramp(4, 1)});
  EXPECT_EQ(executable.run("f", {ramp(2, 1)})[0].floats,
            (std::vector<float>{3, 6}));
  EXPECT_EQ(recording.commandBuffersCreated, 2);
  EXPECT_EQ(executable.run("f", {ramp(4, 2)})[0].floats,
            (std::vector<float>{6, 9, 12, 15}));
  EXPECT_EQ(recording.commandBuffersCreated, 2);
}

TEST(Executable, RebindingWeightsRecordsAgain) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(scalingEntryPoint({0}), std::move(device));
  executable.run("f", {ramp(4, 1)});
  executable.bindWeights([](const fb::Weight &, std::span<float>) {});
  EXPECT_EQ(executable.run("f", {ramp(4, 1)})[0].floats,
            (std::vector<float>{3, 6, 9, 12}));
  EXPECT_EQ(recording.commandBuffersCreated, 2);
}

TEST(Executable, KeepsTheMostRecentlyUsedRunsOfAnEntryPoint) {
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(scalingEntryPoint({0}), std::move(device));
  const int kept = static_cast<int>(CommandCache::kRunsPerEntryPoint);
  for (int n = 1; n <= kept + 1; ++n)
    executable.run("f", {ramp(n, 1)});
  EXPECT_EQ(recording.commandBuffersCreated, kept + 1);
  // The kept most recent sizes replay; the oldest was dropped.
  for (int n = kept + 1; n > 1; --n)
    executable.run("f", {ramp(n, 1)});
  EXPECT_EQ(recording.commandBuffersCreated, kept + 1);
  EXPECT_EQ(executable.run("f", {ramp(1, 1)})[0].floats,
            (std::vector<float>{3}));
  EXPECT_EQ(recording.commandBuffersCreated, kept + 2);
  // Recording it dropped the least recently used (n = kept + 1), not the
  // least recently recorded (n = 2).
  executable.run("f", {ramp(2, 1)});
  EXPECT_EQ(recording.commandBuffersCreated, kept + 2);
}

TEST(Executable, GrowingTheArenaRecordsAgain) {
  fb::ArtifactT artifact = kernelTable(fb::Target::X86);
  artifact.entry_points.push_back(branchingEntry("small", 32));
  artifact.entry_points.push_back(branchingEntry("large", 64));
  auto device = std::make_unique<RecordingDevice>();
  RecordingDevice &recording = *device;
  Executable executable(pack(artifact), std::move(device));
  executable.run("small", {ramp(4, 1)});
  executable.run("large", {ramp(4, 1)});
  // The recording of "small" references the arena that "large" replaced.
  EXPECT_EQ(executable.run("small", {ramp(4, 1)})[0].floats,
            (std::vector<float>{6, 12, 18, 24}));
  EXPECT_EQ(recording.commandBuffersCreated, 3);
}

} // namespace
} // namespace avila
