//===- RandomInputs.cpp - Seeded inputs for any entry point ---------------===//

#include "bench/RandomInputs.h"
#include "runtime/base/Error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace avila {

namespace {
// Far above any SD input (the 512x512 image: 786432 values), far below what
// would exhaust the host.
constexpr int64_t kMaxElements = int64_t(1) << 32;
} // namespace

std::vector<HostTensor>
randomInputs(const artifact::EntryPoint &entry,
             const std::vector<std::vector<int64_t>> &shapes, uint32_t seed) {
  const size_t count = entry.inputs() ? entry.inputs()->size() : 0;
  if (shapes.size() != count)
    fail(entry.name()->str() + " takes " + std::to_string(count) +
         " inputs, not " + std::to_string(shapes.size()));
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<HostTensor> inputs;
  for (size_t i = 0; i < count; ++i) {
    const artifact::TensorSpec &spec = *entry.inputs()->Get(i);
    HostTensor tensor;
    tensor.shape = shapes[i];
    int64_t size = 1;
    for (int64_t dim : tensor.shape)
      if (__builtin_mul_overflow(size, dim, &size) || size > kMaxElements)
        fail("input " + std::to_string(i) + " of " + entry.name()->str() +
             " would have more than 2^32 elements");
    if (spec.element_type() == artifact::ElementType::I32) {
      tensor.elementType = artifact::ElementType::I32;
      std::uniform_int_distribution<int32_t> id(
          0, static_cast<int32_t>(spec.id_limit() > 0 ? spec.id_limit() - 1
                                                      : 49407));
      for (int64_t j = 0; j < size; ++j)
        tensor.ids.push_back(id(rng));
    } else if (tensor.shape.size() == 1) {
      // From the same normal stream as the other floats, so that they draw
      // what avila-bench-unet's inputs always were.
      for (int64_t j = 0; j < size; ++j)
        tensor.floats.push_back(std::clamp(
            std::round(500.0f + 250.0f * normal(rng)), 0.0f, 999.0f));
    } else {
      tensor.floats.resize(size);
      for (float &value : tensor.floats)
        value = normal(rng);
    }
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

} // namespace avila
