//===- Packing.h - Operands packed into micro kernel panels -----*- C++ -*-===//
//
// Operands are addressed through offset tables (element (row, column) at
// base + rows[row] + columns[column]), which describe strided matrices and
// im2col views alike; packing copies a block into the panel order the micro
// kernel streams, zero-padding partial panels.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_PACKING_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_PACKING_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace avila::cpu {

struct Operand {
  float *data = nullptr;
  std::vector<int64_t> rows, columns;
  int64_t batchStrides[3] = {0, 0, 0};
};

/// The offsets 0, stride, 2·stride, ... of `count` elements: a strided
/// dimension as an offset table.
std::vector<int64_t> strided(int64_t count, int64_t stride);

/// `value` rounded up to a multiple of `multiple` (a panel size).
inline int64_t roundUp(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

/// Rows [row0, row0 + rows) × columns [column0, column0 + columns) of
/// `operand` (read from `base`) as `panel`-row panels: for each column,
/// `panel` values.
void packRowPanels(const float *base, const Operand &operand, int64_t row0,
                   int64_t rows, int64_t column0, int64_t columns,
                   int64_t panel, float *out);

/// The same block as `panel`-column panels: for each row, `panel` values.
void packColumnPanels(const float *base, const Operand &operand, int64_t row0,
                      int64_t rows, int64_t column0, int64_t columns,
                      int64_t panel, float *out);

/// 64-byte-aligned scratch of at least `count` floats, one per slot and
/// thread, grown on demand and kept (fresh pages are expensive on first
/// touch).
constexpr size_t kScratchSlots = 8;
float *scratch(size_t slot, size_t count);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_PACKING_H
