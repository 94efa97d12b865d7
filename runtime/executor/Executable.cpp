//===- Executable.cpp - Running an artifact's entry points on a device ----===//

#include "runtime/executor/Executable.h"
#include "runtime/base/Error.h"
#include "runtime/base/Float16.h"
#include "runtime/base/GatherIds.h"
#include "runtime/executor/HazardTracker.h"
#include "runtime/hal/OpenDevice.h"

#include <map>

namespace avila {

namespace fb = artifact;

namespace {

/// The bytes of a dense `type` tensor of `shape`; -1 when they cannot be
/// counted in int64.
int64_t byteSize(std::span<const int64_t> shape, fb::ElementType type) {
  int64_t bytes = static_cast<int64_t>(elementSize(type));
  for (int64_t dim : shape)
    if (__builtin_mul_overflow(bytes, dim, &bytes))
      return -1;
  return bytes;
}

/// `values` as `type` (F16 or BF16, rounded to nearest even) into `bytes`.
void storeAs(std::span<const float> values, fb::ElementType type,
             std::span<std::byte> bytes) {
  auto *out = reinterpret_cast<uint16_t *>(bytes.data());
  if (type == fb::ElementType::F16)
    for (size_t i = 0; i < values.size(); ++i)
      out[i] = floatToHalfBits(values[i]);
  else
    for (size_t i = 0; i < values.size(); ++i)
      out[i] = floatToBFloat16Bits(values[i]);
}

/// The type the host gives and gets a tensor the device keeps as `type`:
/// f16 tensors (an fp16 artifact's) are f32 values on the host.
fb::ElementType hostType(fb::ElementType type) {
  return type == fb::ElementType::F16 ? fb::ElementType::F32 : type;
}

/// `tensor` into `buffer`, which holds it as `type`.
void upload(const HostTensor &tensor, fb::ElementType type,
            hal::Buffer &buffer) {
  if (type == fb::ElementType::F16) {
    std::vector<uint16_t> halves(tensor.floats.size());
    storeAs(tensor.floats, type, std::as_writable_bytes(std::span(halves)));
    buffer.upload(0, std::as_bytes(std::span(halves)));
  } else if (type == fb::ElementType::F32) {
    buffer.upload(0, std::as_bytes(std::span(tensor.floats)));
  } else {
    buffer.upload(0, std::as_bytes(std::span(tensor.ids)));
  }
}

/// `output`'s values (already sized) from `buffer`, which holds them as
/// `type` (F32 or F16).
void download(hal::Buffer &buffer, fb::ElementType type, HostTensor &output) {
  if (type == fb::ElementType::F32) {
    buffer.download(0, std::as_writable_bytes(std::span(output.floats)));
    return;
  }
  std::vector<uint16_t> halves(output.floats.size());
  buffer.download(0, std::as_writable_bytes(std::span(halves)));
  for (size_t i = 0; i < halves.size(); ++i)
    output.floats[i] = halfBitsToFloat(halves[i]);
}

} // namespace

int64_t HostTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

Executable::Executable(Artifact artifact, unsigned threads,
                       std::string_view deviceName)
    : loaded(std::move(artifact)),
      device(hal::openDevice(deviceName, loaded.root().target(), threads)),
      kernels(device->loadKernelLibrary(loaded)) {}

Executable::Executable(Artifact artifact, std::unique_ptr<hal::Device> device)
    : loaded(std::move(artifact)), device(std::move(device)),
      kernels(this->device->loadKernelLibrary(loaded)) {}

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
  bindWeights([&](const fb::Weight &weight, std::span<float> values) {
    checkpoint.readWeight(
        componentNamed(weight.component()->str()), weight.name()->str(),
        std::vector<int64_t>(weight.shape()->begin(), weight.shape()->end()),
        values);
  });
}

void Executable::bindWeights(
    const std::function<void(const fb::Weight &, std::span<float>)> &fill) {
  // Every recorded run references the weights being replaced.
  commandCache.clear();
  weights.clear();
  if (const auto *manifest = loaded.root().weights())
    for (const fb::Weight *weight : *manifest) {
      std::vector<int64_t> shape(weight->shape()->begin(),
                                 weight->shape()->end());
      // -1 when the size overflows: allocate refuses it, naming the weight.
      const int64_t bytes = byteSize(shape, weight->element_type());
      weights.push_back(
          device->allocate(bytes, "weight " + weight->component()->str() + "/" +
                                      weight->name()->str()));
      fillWeight(*weight, *weights.back(), fill);
    }
}

void Executable::rebindWeights(
    const std::function<bool(const fb::Weight &)> &which,
    const std::function<void(const fb::Weight &, std::span<float>)> &fill) {
  const auto *manifest = loaded.root().weights();
  if (!manifest || weights.size() != manifest->size())
    fail("weights are not bound: call bindWeights first");
  // The buffers stay, so recorded runs stay valid.
  for (size_t i = 0; i < weights.size(); ++i)
    if (which(*manifest->Get(i)))
      fillWeight(*manifest->Get(i), *weights[i], fill);
}

void Executable::fillWeight(
    const fb::Weight &weight, hal::Buffer &buffer,
    const std::function<void(const fb::Weight &, std::span<float>)> &fill) {
  const fb::ElementType type = weight.element_type();
  const size_t count = static_cast<size_t>(buffer.size()) / elementSize(type);
  buffer.fill([&](std::span<std::byte> bytes) {
    if (type == fb::ElementType::F32) {
      fill(weight, {reinterpret_cast<float *>(bytes.data()), count});
      return;
    }
    std::vector<float> values(count);
    fill(weight, values);
    storeAs(values, type, bytes);
  });
}

std::pair<hal::Buffer *, fb::ElementType>
Executable::boundWeight(const std::string &component, const std::string &name,
                        int64_t first, int64_t count) const {
  const auto *manifest = loaded.root().weights();
  if (manifest && weights.size() == manifest->size())
    for (size_t i = 0; i < weights.size(); ++i) {
      const fb::Weight &weight = *manifest->Get(i);
      if (weight.component()->str() != component ||
          weight.name()->str() != name)
        continue;
      const int64_t size =
          static_cast<int64_t>(elementSize(weight.element_type()));
      if (first < 0 || count < 0 ||
          !hal::rangeFits(first * size, count * size, weights[i]->size()))
        fail("elements " + std::to_string(first) + "+" + std::to_string(count) +
             " lie outside weight " + component + "/" + name);
      return {weights[i].get(), weight.element_type()};
    }
  fail("no bound weight " + component + "/" + name);
}

std::vector<float> Executable::readWeight(const std::string &component,
                                          const std::string &name,
                                          int64_t first, int64_t count) const {
  const auto [buffer, type] = boundWeight(component, name, first, count);
  std::vector<float> values(static_cast<size_t>(count));
  const int64_t size = static_cast<int64_t>(elementSize(type));
  if (type == fb::ElementType::F32) {
    buffer->download(first * size, std::as_writable_bytes(std::span(values)));
    return values;
  }
  std::vector<uint16_t> halves(values.size());
  buffer->download(first * size, std::as_writable_bytes(std::span(halves)));
  for (size_t i = 0; i < halves.size(); ++i)
    values[i] = type == fb::ElementType::F16 ? halfBitsToFloat(halves[i])
                                             : bfloat16BitsToFloat(halves[i]);
  return values;
}

void Executable::writeWeight(const std::string &component,
                             const std::string &name, int64_t first,
                             std::span<const float> values) {
  const auto [buffer, type] =
      boundWeight(component, name, first, static_cast<int64_t>(values.size()));
  const int64_t offset = first * static_cast<int64_t>(elementSize(type));
  if (type == fb::ElementType::F32) {
    buffer->upload(offset, std::as_bytes(values));
    return;
  }
  std::vector<uint16_t> halves(values.size());
  storeAs(values, type, std::as_writable_bytes(std::span(halves)));
  buffer->upload(offset, std::as_bytes(std::span(halves)));
}

Shapes Executable::checkInputs(const fb::EntryPoint &entry,
                               const std::string &name,
                               const std::vector<HostTensor> &inputs) const {
  if (inputs.size() != entry.inputs()->size())
    fail(name + " takes " + std::to_string(entry.inputs()->size()) +
         " inputs, got " + std::to_string(inputs.size()));
  Shapes shapes;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const fb::TensorSpec *spec = entry.inputs()->Get(i);
    const HostTensor &input = inputs[i];
    if (input.elementType != hostType(spec->element_type()) ||
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
  return shapes;
}

std::unique_ptr<RecordedRun>
Executable::record(const fb::EntryPoint &entry, const std::string &name,
                   const std::vector<HostTensor> &inputs, Shapes shapes) {
  const std::vector<int64_t> values = evaluateExprs(entry, shapes);
  auto dims = [&](const flatbuffers::Vector<uint32_t> &exprs) {
    std::vector<int64_t> result;
    for (uint32_t expr : exprs) {
      if (values[expr] < 0)
        fail(name + ": these inputs give a negative size");
      result.push_back(values[expr]);
    }
    return result;
  };
  for (size_t i = 0; i < shapes.size(); ++i)
    if (dims(*entry.inputs()->Get(i)->shape()) != shapes[i])
      fail(name + ": input " + std::to_string(i) +
           " does not have the size the model needs");
  if (const auto *equal = entry.equal_sizes())
    for (size_t i = 0; i + 1 < equal->size(); i += 2)
      if (values[equal->Get(i)] != values[equal->Get(i + 1)])
        fail(name + ": the inputs' sizes do not fit together (" +
             std::to_string(values[equal->Get(i)]) + " vs " +
             std::to_string(values[equal->Get(i + 1)]) + ")");

  auto run = std::make_unique<RecordedRun>();
  run->inputShapes = std::move(shapes);
  for (const fb::TensorSpec *spec : *entry.outputs()) {
    if (hostType(spec->element_type()) != fb::ElementType::F32)
      fail(name + ": only float outputs are supported so far");
    run->outputShapes.push_back(dims(*spec->shape()));
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    run->inputs.push_back(device->allocate(
        byteSize(run->inputShapes[i], entry.inputs()->Get(i)->element_type()),
        "input " + std::to_string(i) + " of " + name));
  for (size_t i = 0; i < run->outputShapes.size(); ++i)
    run->outputs.push_back(device->allocate(
        byteSize(run->outputShapes[i], entry.outputs()->Get(i)->element_type()),
        "output " + std::to_string(i) + " of " + name));
  const int64_t arenaBytes = values[entry.arena_size()];
  if (!arena || arena->size() < arenaBytes) {
    // Every recorded run references the arena being replaced.
    commandCache.clear();
    arena.reset();
    arena = device->allocate(arenaBytes, "the activation arena of " + name);
  }

  run->commands = device->createCommandBuffer();
  HazardTracker hazards;
  for (const fb::Dispatch *dispatch : *entry.dispatches()) {
    std::vector<hal::BufferBinding> bindings;
    for (const fb::Binding *binding : *dispatch->bindings()) {
      hal::BufferBinding range;
      range.shape = dims(*binding->shape());
      int64_t extent = 0;
      switch (binding->kind()) {
      case fb::BindingKind::Input:
        range.buffer = run->inputs[binding->index()].get();
        extent = range.buffer->size();
        break;
      case fb::BindingKind::Output:
        range.buffer = run->outputs[binding->index()].get();
        extent = range.buffer->size();
        break;
      case fb::BindingKind::Arena:
        // The arena may be larger than this entry point planned.
        range.buffer = arena.get();
        range.offset = values[binding->offset()];
        extent = arenaBytes;
        break;
      case fb::BindingKind::Weight:
        if (binding->index() >= weights.size())
          fail("weights are not bound: call bindWeights first");
        range.buffer = weights[binding->index()].get();
        extent = range.buffer->size();
        break;
      }
      range.length = byteSize(range.shape, binding->element_type());
      if (range.length < 0 ||
          !hal::rangeFits(range.offset, range.length, extent))
        fail(name + ": a dispatch binding exceeds its buffer (corrupt artifact "
                    "or inputs of inconsistent sizes)");
      bindings.push_back(std::move(range));
    }
    std::vector<int64_t> constants;
    if (dispatch->push_constants())
      for (uint32_t expr : *dispatch->push_constants())
        constants.push_back(values[expr]);
    if (hazards.needsBarrier(bindings,
                             kernels->signature(dispatch->kernel()).bindings))
      run->commands->barrier();
    hal::WorkgroupCount workgroups;
    for (size_t axis = 0; axis < workgroups.size(); ++axis)
      workgroups[axis] = values[dispatch->workgroup_count()->Get(axis)];
    run->commands->dispatch(*kernels, dispatch->kernel(), bindings, constants,
                            workgroups);
  }
  return run;
}

std::vector<HostTensor> Executable::run(const std::string &name,
                                        const std::vector<HostTensor> &inputs,
                                        std::vector<DispatchTime> *profile) {
  const fb::EntryPoint *entry = loaded.entryPoint(name);
  if (!entry)
    fail("the artifact has no entry point '" + name + "'");
  Shapes shapes = checkInputs(*entry, name, inputs);
  RecordedRun *recorded = commandCache.find(name, shapes);
  if (!recorded)
    recorded = &commandCache.insert(
        name, record(*entry, name, inputs, std::move(shapes)));

  for (size_t i = 0; i < inputs.size(); ++i)
    upload(inputs[i], entry->inputs()->Get(i)->element_type(),
           *recorded->inputs[i]);
  std::vector<double> seconds;
  device->submitAndWait(*recorded->commands, profile ? &seconds : nullptr);
  if (profile)
    for (size_t i = 0; i < seconds.size(); ++i)
      profile->push_back(
          {loaded.root().kernels()->Get(
               entry->dispatches()->Get(static_cast<uint32_t>(i))->kernel()),
           seconds[i]});
  std::vector<HostTensor> outputs;
  for (size_t i = 0; i < recorded->outputs.size(); ++i) {
    HostTensor output;
    output.shape = recorded->outputShapes[i];
    output.floats.resize(output.numElements());
    download(*recorded->outputs[i], entry->outputs()->Get(i)->element_type(),
             output);
    outputs.push_back(std::move(output));
  }
  return outputs;
}

} // namespace avila
