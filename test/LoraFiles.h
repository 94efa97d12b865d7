//===- LoraFiles.h - LoRA and embedding files written by tests --*- C++ -*-===//
//
// Tests write small LoRA and textual-inversion files in each format with
// the project's safetensors writer, from values they know, so that what the
// runtime merges can be checked against the formula computed here.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_LORAFILES_H
#define AVILA_TEST_LORAFILES_H

#include "runtime/weights/SafetensorsWriter.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace avila::test {

struct FloatTensor {
  std::string key;
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// `count` values drawn uniformly from [-0.5, 0.5) by `seed`.
inline std::vector<float> drawValues(size_t count, unsigned seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> uniform(-0.5f, 0.5f);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(engine);
  return values;
}

inline FloatTensor drawnTensor(std::string key, std::vector<int64_t> shape,
                               unsigned seed) {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return {std::move(key), std::move(shape),
          drawValues(static_cast<size_t>(count), seed)};
}

/// Writes `tensors` as F32.
inline void
writeFloatTensors(const std::filesystem::path &path,
                  const std::vector<FloatTensor> &tensors,
                  const std::map<std::string, std::string> &metadata = {}) {
  std::vector<TensorEntry> entries;
  for (const FloatTensor &tensor : tensors)
    entries.push_back({tensor.key, DType::F32, tensor.shape,
                       std::as_bytes(std::span(tensor.values))});
  writeSafetensors(path, entries, metadata);
}

/// weight + multiplier · scale · up · down in double, up [out, rank] and
/// down [rank, in] as flat row-major arrays: the formula, independent of the
/// runtime's merge.
inline std::vector<double> mergedReference(const std::vector<float> &weight,
                                           const std::vector<float> &up,
                                           const std::vector<float> &down,
                                           int64_t rank, double scale) {
  const size_t inputs = down.size() / rank, outputs = up.size() / rank;
  std::vector<double> merged(weight.begin(), weight.end());
  for (size_t o = 0; o < outputs; ++o)
    for (size_t i = 0; i < inputs; ++i) {
      double sum = 0;
      for (int64_t k = 0; k < rank; ++k)
        sum += double(up[o * rank + k]) * double(down[k * inputs + i]);
      merged[o * inputs + i] += scale * sum;
    }
  return merged;
}

} // namespace avila::test

#endif // AVILA_TEST_LORAFILES_H
