//===- UkernelAbi.h - How compiled kernels call the runtime's ukernels -*-===//
//
// Contractions (matmuls and convolutions) are the runtime's work, not the
// code generator's: the x86 code generator lowers them to calls of these
// imports, which run packed, register-tiled, vectorized loops on the
// runtime's thread pool. The compiler and the runtime share this header; a
// change here changes the artifact format version.
//
// A compiled shared object exports `avila_bind_imports(const ImportTable *)`,
// which the runtime calls once after loading it. Each import takes the
// table's context and a pointer to its int64 parameters, laid out below.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_UKERNELABI_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_UKERNELABI_H

#include <cstddef>
#include <cstdint>
#include <iterator>

namespace avila::cpu {

using UkernelFunction = void (*)(void *context, const int64_t *params);

enum class Ukernel : int {
  Matmul = 0,
  Conv2D = 1,
  Attention = 2,
  ParallelFor = 3,
  Count = 4
};

/// The symbols the code generator calls, in table order.
constexpr const char *kUkernelSymbols[] = {
    "avila_ukernel_matmul", "avila_ukernel_conv2d", "avila_ukernel_attention",
    "avila_ukernel_parallel_for"};

/// Kernels hand loops to the thread pool as calls of
/// kParallelPrefix + <task>(items, captured values...), which the code
/// generator defines: it packs the captured values into an environment and
/// calls the parallel_for import, which runs
/// task(environment, begin, end) over disjoint ranges covering [0, items).
constexpr const char *kParallelPrefix = "avila_parallel.";
using TaskFunction = void (*)(void *environment, int64_t begin, int64_t end);
static_assert(std::size(kUkernelSymbols) ==
              static_cast<size_t>(Ukernel::Count));
constexpr const char *kBindImportsSymbol = "avila_bind_imports";

struct ImportTable {
  void *context;
  UkernelFunction functions[static_cast<int>(Ukernel::Count)];
};

/// C[b, i, j] += Σ_k A[b, i, k] · B[b, k, j] over f32 buffers addressed by
/// element strides; up to three batch dimensions (a stride may be 0).
namespace matmul {
enum Param : int {
  A,
  B,
  C,
  Batch0,
  Batch1,
  Batch2,
  M,
  N,
  K,
  AStrideBatch0,
  AStrideBatch1,
  AStrideBatch2,
  AStrideM,
  AStrideK,
  BStrideBatch0,
  BStrideBatch1,
  BStrideBatch2,
  BStrideK,
  BStrideN,
  CStrideBatch0,
  CStrideBatch1,
  CStrideBatch2,
  CStrideM,
  CStrideN,
  Count
};
} // namespace matmul

/// out[n, o, y, x] += Σ_{c, ky, kx} in[n, c, y·sh + ky, x·sw + kx] ·
/// w[o, c, ky, kx] over an already padded input; element strides.
namespace conv2d {
enum Param : int {
  Input,
  Weight,
  Output,
  Batch,
  OutChannels,
  InChannels,
  KernelH,
  KernelW,
  OutH,
  OutW,
  StrideH,
  StrideW,
  InputStrideN,
  InputStrideC,
  InputStrideH,
  InputStrideW,
  WeightStrideO,
  WeightStrideC,
  WeightStrideH,
  WeightStrideW,
  OutputStrideN,
  OutputStrideO,
  OutputStrideH,
  OutputStrideW,
  Count
};
} // namespace conv2d

/// out[b, i, h, e] = Σ_j softmax_j(scale · Σ_d q[b, i, h, d] · k[b, j, h, d])
///                   · v[b, j, h, e], without materializing the scores; f32,
/// element strides per (batch, position, head, channel). `ScaleBits` holds
/// the f32 scale's bit pattern.
namespace attention {
enum Param : int {
  Query,
  Key,
  Value,
  Output,
  Batch,
  Heads,
  QueryLength,
  KeyLength,
  HeadDim,
  ValueHeadDim,
  ScaleBits,
  QueryStrides, // four strides from here on, for each operand
  KeyStrides = QueryStrides + 4,
  ValueStrides = KeyStrides + 4,
  OutputStrides = ValueStrides + 4,
  Count = OutputStrides + 4
};
} // namespace attention

namespace parallel_for {
enum Param : int { Task, Environment, Items, Count };
} // namespace parallel_for

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_UKERNELABI_H
