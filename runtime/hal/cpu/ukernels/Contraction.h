//===- Contraction.h - Packed, tiled, threaded f32 contractions -*- C++ -*-===//
//
// C[b, i, j] += Σ_k A[b, i, k] · B[b, k, j] where each operand is addressed
// through offset tables: element (row, column) of batch b lies at
// data + Σ_d b_d · batchStrides[d] + rows[row] + columns[column]. Tables
// describe strided matrices and im2col views of convolution inputs alike, so
// one driver (blocking, packing, threading) serves every contraction.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_CONTRACTION_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_CONTRACTION_H

#include "runtime/hal/cpu/ukernels/Packing.h"

#include <cstdint>

namespace avila::cpu {

class ThreadPool;

struct Contraction {
  int64_t batch[3] = {1, 1, 1};
  int64_t m = 0, n = 0, k = 0;
  Operand a; // m × k
  Operand b; // k × n
  Operand c; // m × n, accumulated into
};

struct MicroKernel;

/// Accumulates the product into C with `micro` (by default the best variant
/// for this CPU).
void contract(ThreadPool &pool, const Contraction &contraction);
void contract(ThreadPool &pool, const Contraction &contraction,
              const MicroKernel &micro);

/// The contraction that UkernelAbi.h's parameter arrays describe.
Contraction matmulContraction(const int64_t *params);
Contraction conv2dContraction(const int64_t *params);

/// The imports of UkernelAbi.h; `context` is the ThreadPool.
void matmulUkernel(void *context, const int64_t *params);
void conv2dUkernel(void *context, const int64_t *params);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_CONTRACTION_H
