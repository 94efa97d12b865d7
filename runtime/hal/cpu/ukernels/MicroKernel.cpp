//===- MicroKernel.cpp - Register-tiled f32 multiply-accumulate -----------===//
//
// Compiled once per instruction set (see runtime/CMakeLists.txt): the vector
// width and the tile height follow from the target flags, so that the MR×NR
// accumulators, NR/W vectors of B and one broadcast of A fill the register
// file without spilling.
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ukernels/MicroKernel.h"

#include <cstring>

#if defined(__AVX512F__)
#define AVILA_MICROKERNEL_NAME microKernelAvx512
constexpr int kWidth = 16, kRows = 12;
#elif defined(__AVX2__) && defined(__FMA__)
#define AVILA_MICROKERNEL_NAME microKernelAvx2
constexpr int kWidth = 8, kRows = 6;
#else
#error "MicroKernel.cpp is compiled with -mavx2 -mfma or -mavx512f"
#endif

namespace avila::cpu {
namespace {

using Vector = float __attribute__((ext_vector_type(kWidth)));
constexpr int kVectors = 2;
constexpr int kColumns = kVectors * kWidth;

Vector load(const float *p) {
  Vector v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void store(float *p, Vector v) { std::memcpy(p, &v, sizeof v); }

void run(int64_t depth, const float *a, const float *b, float *c,
         const int64_t *rowOffsets, int64_t validRows, int64_t validColumns) {
  Vector acc[kRows][kVectors] = {};
  for (int64_t k = 0; k < depth; ++k) {
    Vector bk[kVectors];
#pragma clang loop unroll(full)
    for (int v = 0; v < kVectors; ++v)
      bk[v] = load(b + k * kColumns + v * kWidth);
#pragma clang loop unroll(full)
    for (int r = 0; r < kRows; ++r) {
      const Vector ak = a[k * kRows + r];
#pragma clang loop unroll(full)
      for (int v = 0; v < kVectors; ++v)
        acc[r][v] = __builtin_elementwise_fma(ak, bk[v], acc[r][v]);
    }
  }
  if (validRows == kRows && validColumns == kColumns) {
#pragma clang loop unroll(full)
    for (int r = 0; r < kRows; ++r)
#pragma clang loop unroll(full)
      for (int v = 0; v < kVectors; ++v) {
        float *row = c + rowOffsets[r] + v * kWidth;
        store(row, load(row) + acc[r][v]);
      }
    return;
  }
  float tile[kRows][kColumns];
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < kVectors; ++v)
      store(&tile[r][v * kWidth], acc[r][v]);
  for (int64_t r = 0; r < validRows; ++r)
    for (int64_t j = 0; j < validColumns; ++j)
      c[rowOffsets[r] + j] += tile[r][j];
}

} // namespace

const MicroKernel &AVILA_MICROKERNEL_NAME() {
  static const MicroKernel kernel{kRows, kColumns, run};
  return kernel;
}

} // namespace avila::cpu
