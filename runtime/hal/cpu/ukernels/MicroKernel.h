//===- MicroKernel.h - Register-tiled f32 multiply-accumulate ---*- C++ -*-===//
//
// The innermost loop of every contraction: an MR×NR tile of C accumulates
// the product of an MR-row panel of A and an NR-column panel of B, both
// packed (A: for each k, MR values; B: for each k, NR values). One variant
// per instruction set, compiled from the same source with different flags;
// the fastest the CPU supports is picked at run time.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_MICROKERNEL_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_MICROKERNEL_H

#include <cstdint>

namespace avila::cpu {

struct MicroKernel {
  int rows;    // MR
  int columns; // NR
  /// C rows start at c + rowOffsets[r] (columns contiguous); only the first
  /// `validRows` × `validColumns` of the tile are written.
  void (*run)(int64_t depth, const float *a, const float *b, float *c,
              const int64_t *rowOffsets, int64_t validRows,
              int64_t validColumns);
  /// One row of an online softmax: scales `row`, raises `rowMax` to the
  /// row's maximum, replaces the row by exp(row − rowMax), adds its sum to
  /// `rowSum` after rescaling the old sum, and returns the factor
  /// exp(old max − new max) that earlier partial results need.
  float (*softmaxStep)(float *row, int64_t count, float scale, float &rowMax,
                       float &rowSum);
};

const MicroKernel &microKernelAvx2();
const MicroKernel &microKernelAvx512();

/// The best variant for this CPU; throws avila::Error without AVX2 and FMA.
const MicroKernel &bestMicroKernel();

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_MICROKERNEL_H
