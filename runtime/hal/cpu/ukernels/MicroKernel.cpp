//===- MicroKernel.cpp - Register-tiled f32 multiply-accumulate -----------===//
//
// Compiled once per instruction set (see runtime/CMakeLists.txt): the vector
// width and the tile height follow from the target flags, so that the MR×NR
// accumulators, NR/W vectors of B and one broadcast of A fill the register
// file without spilling.
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ukernels/MicroKernel.h"

#include <cmath>
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

using IntVector = int32_t __attribute__((ext_vector_type(kWidth)));

// exp(x) = 2^n · exp(r), n = round(x / ln 2), |r| ≤ ln 2 / 2, with Cephes'
// degree-6 polynomial for exp(r) (relative error ~1e-7); inputs below
// -87.3 give ~1e-38 rather than 0, which no softmax can tell apart.
Vector exponential(Vector x) {
  x = __builtin_elementwise_min(__builtin_elementwise_max(x, Vector(-87.3f)),
                                Vector(88.7f));
  const Vector n = __builtin_elementwise_roundeven(x * 1.44269504088896341f);
  const Vector r = x - n * 0.693359375f + n * 2.12194440e-4f;
  Vector p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const IntVector bits = (__builtin_convertvector(n, IntVector) + 127) << 23;
  return p * __builtin_bit_cast(Vector, bits);
}

// The first `count` (< kWidth) lanes from/to `p`; the others are `fill`.
Vector loadPartial(const float *p, int64_t count, float fill) {
  Vector v = fill;
  std::memcpy(&v, p, count * sizeof(float));
  return v;
}
void storePartial(float *p, int64_t count, Vector v) {
  std::memcpy(p, &v, count * sizeof(float));
}

float softmaxStep(float *row, int64_t count, float scale, float &rowMax,
                  float &rowSum) {
  const int64_t full = count / kWidth * kWidth;
  Vector maxima = -INFINITY;
  for (int64_t i = 0; i < full; i += kWidth)
    maxima = __builtin_elementwise_max(maxima, load(row + i));
  if (full < count)
    maxima = __builtin_elementwise_max(
        maxima, loadPartial(row + full, count - full, -INFINITY));
  // scale > 0: the maximum of the scaled row is the scaled maximum.
  const float newMax = std::max(rowMax, __builtin_reduce_max(maxima) * scale);
  Vector sums = 0.0f;
  for (int64_t i = 0; i < full; i += kWidth) {
    const Vector p = exponential(load(row + i) * scale - newMax);
    store(row + i, p);
    sums += p;
  }
  if (full < count) {
    const Vector p = exponential(
        loadPartial(row + full, count - full, 0.0f) * scale - newMax);
    storePartial(row + full, count - full, p);
    sums += loadPartial(row + full, count - full, 0.0f);
  }
  const float alpha = rowMax == -INFINITY ? 0.0f : std::exp(rowMax - newMax);
  float sum = 0.0f;
  for (int lane = 0; lane < kWidth; ++lane)
    sum += sums[lane];
  rowSum = rowSum * alpha + sum;
  rowMax = newMax;
  return alpha;
}

} // namespace

const MicroKernel &AVILA_MICROKERNEL_NAME() {
  static const MicroKernel kernel{kRows, kColumns, run, softmaxStep};
  return kernel;
}

} // namespace avila::cpu
