//===- Packing.cpp - Operands packed into micro kernel panels -------------===//

#include "runtime/hal/cpu/ukernels/Packing.h"
#include "runtime/base/Error.h"

#include <algorithm>

namespace avila::cpu {

namespace {

class Workspace {
public:
  float *get(size_t slot, size_t count) {
    if (slot >= kScratchSlots)
      fail("internal error: scratch slot out of range");
    std::vector<float> &buffer = buffers[slot];
    if (buffer.size() < count + kAlignment)
      buffer.resize(count + kAlignment);
    auto address = reinterpret_cast<uintptr_t>(buffer.data());
    return buffer.data() + (-address / sizeof(float)) % kAlignment;
  }

private:
  static constexpr size_t kAlignment = 16; // floats: 64 bytes
  std::vector<float> buffers[kScratchSlots];
};

} // namespace

float *scratch(size_t slot, size_t count) {
  static thread_local Workspace workspace;
  return workspace.get(slot, count);
}

void packRowPanels(const float *base, const Operand &operand, int64_t row0,
                   int64_t rows, int64_t column0, int64_t columns,
                   int64_t panel, float *out) {
  for (int64_t start = 0; start < rows; start += panel) {
    const int64_t valid = std::min(panel, rows - start);
    for (int64_t r = 0; r < panel; ++r) {
      float *dst = out + start * columns + r;
      if (r >= valid) {
        for (int64_t k = 0; k < columns; ++k)
          dst[k * panel] = 0.0f;
        continue;
      }
      const float *row = base + operand.rows[row0 + start + r];
      const int64_t *offsets = operand.columns.data() + column0;
      for (int64_t k = 0; k < columns; ++k)
        dst[k * panel] = row[offsets[k]];
    }
  }
}

void packColumnPanels(const float *base, const Operand &operand, int64_t row0,
                      int64_t rows, int64_t column0, int64_t columns,
                      int64_t panel, float *out) {
  for (int64_t start = 0; start < columns; start += panel) {
    const int64_t valid = std::min(panel, columns - start);
    const int64_t *offsets = operand.columns.data() + column0 + start;
    float *dst = out + start * rows;
    for (int64_t k = 0; k < rows; ++k, dst += panel) {
      const float *row = base + operand.rows[row0 + k];
      int64_t t = 0;
      for (; t < valid; ++t)
        dst[t] = row[offsets[t]];
      for (; t < panel; ++t)
        dst[t] = 0.0f;
    }
  }
}

} // namespace avila::cpu
