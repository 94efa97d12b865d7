//===- Executable.cpp - Running an artifact's entry points on the CPU -----===//

#include "runtime/executor/Executable.h"
#include "runtime/base/Error.h"
#include "runtime/base/GatherIds.h"
#include "runtime/hal/cpu/CpuFeatures.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <malloc.h>
#include <map>

namespace avila {

namespace fb = artifact;

namespace {

size_t elementSize(fb::ElementType type) {
  switch (type) {
  case fb::ElementType::F32:
  case fb::ElementType::I32:
    return 4;
  case fb::ElementType::F16:
  case fb::ElementType::BF16:
    return 2;
  case fb::ElementType::I64:
    return 8;
  }
  return 0;
}

} // namespace

int64_t HostTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

namespace {

// Kernels take their temporaries (a padded convolution input, 270 MB in
// the VAE decoder at 512×512) from malloc. glibc serves blocks that large
// with mmap and unmaps them when freed, so every run pays a page fault and
// the kernel's zeroing for every page again (0.6 s of that convolution's
// 1.3 s). With higher thresholds freed blocks stay in the heap and the
// next run reuses them, as it reuses the arena.
void keepLargeAllocations() {
  static const bool once = [] {
    constexpr int kThreshold = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, kThreshold);
    mallopt(M_TRIM_THRESHOLD, kThreshold);
    return true;
  }();
  (void)once;
}

} // namespace

Executable::Executable(Artifact artifact, unsigned threads)
    : loaded(std::move(artifact)), pool(threads) {
  keepLargeAllocations();
  const fb::Artifact &root = loaded.root();
  if (root.target() != fb::Target::X86)
    fail(std::string("the CPU executor runs x86 artifacts, not ") +
         targetName(root.target()));
  if (!root.code())
    fail("the artifact has no code");
  if (root.target_features()) {
    std::vector<std::string> features;
    for (const flatbuffers::String *feature : *root.target_features())
      features.push_back(feature->str());
    cpu::requireFeatures(features);
  }
  code = std::make_unique<cpu::SharedObject>(
      std::span<const uint8_t>(root.code()->data(), root.code()->size()), pool);
  if (root.kernels())
    for (const fb::Kernel *kernel : *root.kernels())
      kernels.push_back(code->kernel(kernel->name()->str()));
}

Executable::~Executable() = default;

KeyTranslator singleFileKeys(const Artifact &artifact,
                             const Checkpoint &checkpoint) {
  const std::map<std::string, std::vector<int64_t>> present =
      checkpoint.singleFileShapes();
  std::map<std::pair<std::string, std::string>, std::string> keys;
  if (const auto *manifest = artifact.root().weights())
    for (const fb::Weight *weight : *manifest) {
      if (!weight->single_file_key())
        continue;
      std::string key = weight->single_file_key()->str();
      const std::string level = "cond_stage_model.transformer.text_model.";
      if (!present.count(key) && key.starts_with(level))
        key = "cond_stage_model.transformer." + key.substr(level.size());
      keys[{weight->component()->str(), weight->name()->str()}] = key;
    }
  return
      [keys = std::move(keys)](Component component, const std::string &name) {
        const auto found = keys.find({componentName(component), name});
        return found == keys.end() ? std::string() : found->second;
      };
}

void Executable::bindWeights(const Checkpoint &checkpoint) {
  const auto *manifest = loaded.root().weights();
  weights.clear();
  if (!manifest)
    return;
  auto component = [](const std::string &name) {
    if (name == "text_encoder")
      return Component::TextEncoder;
    if (name == "unet")
      return Component::UNet;
    if (name == "vae")
      return Component::Vae;
    fail("the artifact names an unknown component '" + name + "'");
  };
  for (const fb::Weight *weight : *manifest) {
    if (weight->element_type() != fb::ElementType::F32)
      fail("only f32 weights can be bound so far");
    std::vector<int64_t> shape(weight->shape()->begin(),
                               weight->shape()->end());
    weights.push_back(checkpoint.readWeight(
        component(weight->component()->str()), weight->name()->str(), shape));
  }
}

void Executable::bindWeights(
    const std::function<void(const fb::Weight &, std::span<float>)> &fill) {
  weights.clear();
  if (const auto *manifest = loaded.root().weights())
    for (const fb::Weight *weight : *manifest) {
      size_t count = 1;
      for (uint32_t dim : *weight->shape())
        count *= dim;
      weights.emplace_back(count);
      fill(*weight, weights.back());
    }
}

std::vector<HostTensor> Executable::run(const std::string &name,
                                        const std::vector<HostTensor> &inputs,
                                        std::vector<DispatchTime> *profile) {
  const fb::EntryPoint *entry = loaded.entryPoint(name);
  if (!entry)
    fail("the artifact has no entry point '" + name + "'");
  if (inputs.size() != entry->inputs()->size())
    fail(name + " takes " + std::to_string(entry->inputs()->size()) +
         " inputs, got " + std::to_string(inputs.size()));
  std::vector<std::vector<int64_t>> shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fb::TensorSpec *spec = entry->inputs()->Get(i);
    const HostTensor &input = inputs[i];
    if (input.elementType != spec->element_type() ||
        input.shape.size() != spec->shape()->size() ||
        (input.elementType == fb::ElementType::F32
             ? input.floats.size()
             : input.ids.size()) != static_cast<size_t>(input.numElements()))
      fail(name + ": input " + std::to_string(i) +
           " has the wrong element type, rank or data size");
    // The compiled gather would only clamp such an id and silently embed
    // another token.
    if (spec->id_limit() > 0)
      for (int32_t id : input.ids)
        if (auto problem = gatherIdProblem(id, spec->id_limit()))
          fail(name + ": input " + std::to_string(i) + ": " + *problem);
    shapes.push_back(input.shape);
  }
  const std::vector<int64_t> values = evaluateExprs(*entry, shapes);
  auto dims = [&](const flatbuffers::Vector<uint32_t> &exprs) {
    std::vector<int64_t> result;
    for (uint32_t expr : exprs) {
      if (values[expr] < 0)
        fail(name + ": these inputs give a negative size");
      result.push_back(values[expr]);
    }
    return result;
  };
  for (size_t i = 0; i < inputs.size(); ++i)
    if (dims(*entry->inputs()->Get(i)->shape()) != inputs[i].shape)
      fail(name + ": input " + std::to_string(i) +
           " does not have the size the model needs");
  if (const auto *equal = entry->equal_sizes())
    for (size_t i = 0; i + 1 < equal->size(); i += 2)
      if (values[equal->Get(i)] != values[equal->Get(i + 1)])
        fail(name + ": the inputs' sizes do not fit together (" +
             std::to_string(values[equal->Get(i)]) + " vs " +
             std::to_string(values[equal->Get(i + 1)]) + ")");

  std::vector<HostTensor> outputs;
  for (const fb::TensorSpec *spec : *entry->outputs()) {
    HostTensor output;
    output.elementType = spec->element_type();
    output.shape = dims(*spec->shape());
    if (output.elementType != fb::ElementType::F32)
      fail(name + ": only f32 outputs are supported so far");
    output.floats.assign(output.numElements(), 0.0f);
    outputs.push_back(std::move(output));
  }
  const int64_t arenaBytes = values[entry->arena_size()];
  // Kept between runs: first-touching hundreds of MiB of fresh pages would
  // cost a large part of a step.
  if (arenaBytes > arenaCapacity) {
    arena.reset();
    const int64_t rounded = (arenaBytes + 63) / 64 * 64;
    arena.reset(std::aligned_alloc(64, rounded));
    if (!arena)
      fail(name + ": cannot allocate the " + std::to_string(arenaBytes) +
           "-byte activation arena");
    arenaCapacity = rounded;
  }

  for (const fb::Dispatch *dispatch : *entry->dispatches()) {
    const fb::Kernel *kernel = loaded.root().kernels()->Get(dispatch->kernel());
    std::vector<cpu::BufferRef> buffers;
    for (const fb::Binding *binding : *dispatch->bindings()) {
      std::vector<int64_t> shape = dims(*binding->shape());
      int64_t count = 1;
      for (int64_t dim : shape)
        count *= dim;
      const int64_t bytes = count * elementSize(binding->element_type());
      void *data = nullptr;
      int64_t capacity = 0;
      switch (binding->kind()) {
      case fb::BindingKind::Input: {
        const HostTensor &input = inputs[binding->index()];
        data =
            input.elementType == fb::ElementType::F32
                ? const_cast<float *>(input.floats.data())
                : static_cast<void *>(const_cast<int32_t *>(input.ids.data()));
        capacity = input.numElements() * 4;
        break;
      }
      case fb::BindingKind::Output:
        data = outputs[binding->index()].floats.data();
        capacity = outputs[binding->index()].numElements() * 4;
        break;
      case fb::BindingKind::Arena: {
        const int64_t offset = values[binding->offset()];
        data = static_cast<std::byte *>(arena.get()) + offset;
        capacity =
            offset >= 0 && offset <= arenaBytes ? arenaBytes - offset : -1;
        break;
      }
      case fb::BindingKind::Weight:
        if (binding->index() >= weights.size())
          fail("weights are not bound: call bindWeights first");
        data = weights[binding->index()].data();
        capacity = weights[binding->index()].size() * 4;
        break;
      }
      if (bytes > capacity)
        fail(name + ": a dispatch binding exceeds its buffer (corrupt artifact "
                    "or inputs of inconsistent sizes)");
      buffers.push_back({data, std::move(shape)});
    }
    // Inputs, then push constants, then results.
    std::vector<cpu::BufferRef> leading(
        buffers.begin(), buffers.begin() + kernel->input_bindings());
    std::vector<cpu::BufferRef> trailing(
        buffers.begin() + kernel->input_bindings(), buffers.end());
    std::vector<int64_t> args = cpu::kernelArguments(leading);
    if (dispatch->push_constants())
      for (uint32_t expr : *dispatch->push_constants())
        args.push_back(values[expr]);
    std::vector<int64_t> results = cpu::kernelArguments(trailing);
    args.insert(args.end(), results.begin(), results.end());
    const auto start = std::chrono::steady_clock::now();
    kernels[dispatch->kernel()](args.data());
    if (profile)
      profile->push_back({kernel, std::chrono::duration<double>(
                                      std::chrono::steady_clock::now() - start)
                                      .count()});
  }
  return outputs;
}

} // namespace avila
