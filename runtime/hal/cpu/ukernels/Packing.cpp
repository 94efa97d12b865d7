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

namespace {

// Lines [0, lines) × elements [0, elements), element (l, e) at
// base + lineOffsets[l] + elementOffsets[e], as `panel`-line panels: for each
// element, `panel` values (zero past the last line). Reads run along a line.
void packAcrossLines(const float *base, const int64_t *lineOffsets,
                     const int64_t *elementOffsets, int64_t lines,
                     int64_t elements, int64_t panel, float *out) {
  for (int64_t start = 0; start < lines; start += panel) {
    const int64_t valid = std::min(panel, lines - start);
    for (int64_t r = 0; r < panel; ++r) {
      float *dst = out + start * elements + r;
      if (r >= valid) {
        for (int64_t e = 0; e < elements; ++e)
          dst[e * panel] = 0.0f;
        continue;
      }
      const float *line = base + lineOffsets[start + r];
      for (int64_t e = 0; e < elements; ++e)
        dst[e * panel] = line[elementOffsets[e]];
    }
  }
}

// Whether rows [row0, row0 + rows) of `operand` are consecutive elements.
bool unitRowStride(const Operand &operand, int64_t row0, int64_t rows) {
  for (int64_t k = 1; k < rows; ++k)
    if (operand.rows[row0 + k] != operand.rows[row0] + k)
      return false;
  return true;
}

} // namespace

std::vector<int64_t> strided(int64_t count, int64_t stride) {
  std::vector<int64_t> offsets(count);
  for (int64_t i = 0; i < count; ++i)
    offsets[i] = i * stride;
  return offsets;
}

void packRowPanels(const float *base, const Operand &operand, int64_t row0,
                   int64_t rows, int64_t column0, int64_t columns,
                   int64_t panel, float *out) {
  packAcrossLines(base, operand.rows.data() + row0,
                  operand.columns.data() + column0, rows, columns, panel, out);
}

void packColumnPanels(const float *base, const Operand &operand, int64_t row0,
                      int64_t rows, int64_t column0, int64_t columns,
                      int64_t panel, float *out) {
  // A transposed operand (a linear layer's weight): read along columns and
  // scatter inside the L1-sized panel, rather than gather `panel` values
  // from as many cache lines per row.
  if (rows > 1 && unitRowStride(operand, row0, rows)) {
    packAcrossLines(base, operand.columns.data() + column0,
                    operand.rows.data() + row0, columns, rows, panel, out);
    return;
  }
  for (int64_t start = 0; start < columns; start += panel) {
    const int64_t valid = std::min(panel, columns - start);
    const int64_t *offsets = operand.columns.data() + column0 + start;
    float *dst = out + start * rows;
    // Columns that are consecutive elements (a matrix's row, a run of
    // pixels in an image row) are copied as a block, not gathered.
    bool consecutive = true;
    for (int64_t t = 1; t < valid && consecutive; ++t)
      consecutive = offsets[t] == offsets[0] + t;
    for (int64_t k = 0; k < rows; ++k, dst += panel) {
      const float *row = base + operand.rows[row0 + k];
      if (consecutive)
        std::copy(row + offsets[0], row + offsets[0] + valid, dst);
      else
        for (int64_t t = 0; t < valid; ++t)
          dst[t] = row[offsets[t]];
      std::fill(dst + valid, dst + panel, 0.0f);
    }
  }
}

} // namespace avila::cpu
