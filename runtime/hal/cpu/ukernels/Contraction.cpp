//===- Contraction.cpp - Packed, tiled, threaded f32 contractions ---------===//
//
// Goto-style blocking: a work item is one (batch, row block, column block)
// of C; it walks K in slabs, packs the A block (rows × slab, MR-row panels,
// kept in L2) and the B block (slab × columns, NR-column panels, one panel
// in L1 at a time) and runs the micro kernel over every MR×NR tile.
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ukernels/Contraction.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"
#include "runtime/hal/cpu/ukernels/Packing.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include <algorithm>

namespace avila::cpu {

const MicroKernel &bestMicroKernel() {
  static const MicroKernel *best = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f"))
      return &microKernelAvx512();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      return &microKernelAvx2();
    return static_cast<const MicroKernel *>(nullptr);
  }();
  if (!best)
    fail("this CPU lacks AVX2 and FMA, which x86 artifacts require");
  return *best;
}

namespace {

constexpr int64_t kDepthBlock = 256;
constexpr int64_t kPanelsPerRowBlock = 32;
constexpr int64_t kPanelsPerColumnBlock = 8;

bool contiguousColumns(const Operand &operand) {
  for (size_t j = 0; j < operand.columns.size(); ++j)
    if (operand.columns[j] != static_cast<int64_t>(j))
      return false;
  return true;
}

} // namespace

void contract(ThreadPool &pool, const Contraction &x) {
  contract(pool, x, bestMicroKernel());
}

void contract(ThreadPool &pool, const Contraction &x,
              const MicroKernel &micro) {
  const int64_t batches = x.batch[0] * x.batch[1] * x.batch[2];
  if (batches == 0 || x.m == 0 || x.n == 0)
    return;
  const int64_t mr = micro.rows, nr = micro.columns;
  const int64_t rowBlock = mr * kPanelsPerRowBlock;
  const int64_t columnBlock = nr * kPanelsPerColumnBlock;
  const int64_t rowBlocks = (x.m + rowBlock - 1) / rowBlock;
  const int64_t columnBlocks = (x.n + columnBlock - 1) / columnBlock;
  const bool direct = contiguousColumns(x.c);

  pool.parallelFor(batches * rowBlocks * columnBlocks, [&](int64_t item) {
    const int64_t jb = item % columnBlocks;
    item /= columnBlocks;
    const int64_t ib = item % rowBlocks;
    item /= rowBlocks;
    int64_t index[3];
    index[2] = item % x.batch[2];
    item /= x.batch[2];
    index[1] = item % x.batch[1];
    index[0] = item / x.batch[1];
    auto base = [&](const Operand &operand) {
      float *p = operand.data;
      for (int d = 0; d < 3; ++d)
        p += index[d] * operand.batchStrides[d];
      return p;
    };
    const float *a = base(x.a), *b = base(x.b);
    float *c = base(x.c);
    const int64_t i0 = ib * rowBlock, rows = std::min(rowBlock, x.m - i0);
    const int64_t j0 = jb * columnBlock,
                  columns = std::min(columnBlock, x.n - j0);
    const int64_t paddedRows = roundUp(rows, mr);
    const int64_t paddedColumns = roundUp(columns, nr);

    float *aPack = scratch(0, paddedRows * kDepthBlock);
    float *bPack = scratch(1, paddedColumns * kDepthBlock);
    float *tile = scratch(2, mr * nr);
    int64_t rowOffsets[64];
    for (int64_t p0 = 0; p0 < x.k; p0 += kDepthBlock) {
      const int64_t depth = std::min(kDepthBlock, x.k - p0);
      packRowPanels(a, x.a, i0, rows, p0, depth, mr, aPack);
      packColumnPanels(b, x.b, p0, depth, j0, columns, nr, bPack);
      for (int64_t jr = 0; jr < columns; jr += nr) {
        const int64_t validColumns = std::min(nr, columns - jr);
        for (int64_t ir = 0; ir < rows; ir += mr) {
          const int64_t validRows = std::min(mr, rows - ir);
          const float *aPanel = aPack + ir * depth;
          const float *bPanel = bPack + jr * depth;
          if (direct) {
            for (int64_t r = 0; r < validRows; ++r)
              rowOffsets[r] = x.c.rows[i0 + ir + r] + j0 + jr;
            micro.run(depth, aPanel, bPanel, c, rowOffsets, validRows,
                      validColumns);
            continue;
          }
          for (int64_t r = 0; r < mr; ++r)
            rowOffsets[r] = r * nr;
          std::fill(tile, tile + mr * nr, 0.0f);
          micro.run(depth, aPanel, bPanel, tile, rowOffsets, mr, nr);
          for (int64_t r = 0; r < validRows; ++r)
            for (int64_t j = 0; j < validColumns; ++j)
              c[x.c.rows[i0 + ir + r] + x.c.columns[j0 + jr + j]] +=
                  tile[r * nr + j];
        }
      }
    }
  });
}

namespace {

float *pointer(int64_t address) { return reinterpret_cast<float *>(address); }

} // namespace

Contraction matmulContraction(const int64_t *p) {
  using namespace matmul;
  Contraction x;
  x.batch[0] = p[Batch0];
  x.batch[1] = p[Batch1];
  x.batch[2] = p[Batch2];
  x.m = p[M];
  x.n = p[N];
  x.k = p[K];
  x.a = {pointer(p[A]),
         strided(x.m, p[AStrideM]),
         strided(x.k, p[AStrideK]),
         {p[AStrideBatch0], p[AStrideBatch1], p[AStrideBatch2]}};
  x.b = {pointer(p[B]),
         strided(x.k, p[BStrideK]),
         strided(x.n, p[BStrideN]),
         {p[BStrideBatch0], p[BStrideBatch1], p[BStrideBatch2]}};
  x.c = {pointer(p[C]),
         strided(x.m, p[CStrideM]),
         strided(x.n, p[CStrideN]),
         {p[CStrideBatch0], p[CStrideBatch1], p[CStrideBatch2]}};
  return x;
}

// The output channels are the rows, the output pixels the columns, and
// (channel, ky, kx) the depth; the input is read as its im2col view.
Contraction conv2dContraction(const int64_t *p) {
  using namespace conv2d;
  Contraction x;
  x.batch[0] = p[Batch];
  x.m = p[OutChannels];
  x.n = p[OutH] * p[OutW];
  x.k = p[InChannels] * p[KernelH] * p[KernelW];
  std::vector<int64_t> weightDepth, inputDepth, inputPixels, outputPixels;
  for (int64_t c = 0; c < p[InChannels]; ++c)
    for (int64_t ky = 0; ky < p[KernelH]; ++ky)
      for (int64_t kx = 0; kx < p[KernelW]; ++kx) {
        weightDepth.push_back(c * p[WeightStrideC] + ky * p[WeightStrideH] +
                              kx * p[WeightStrideW]);
        inputDepth.push_back(c * p[InputStrideC] + ky * p[InputStrideH] +
                             kx * p[InputStrideW]);
      }
  for (int64_t y = 0; y < p[OutH]; ++y)
    for (int64_t xo = 0; xo < p[OutW]; ++xo) {
      inputPixels.push_back(y * p[StrideH] * p[InputStrideH] +
                            xo * p[StrideW] * p[InputStrideW]);
      outputPixels.push_back(y * p[OutputStrideH] + xo * p[OutputStrideW]);
    }
  x.a = {pointer(p[Weight]),
         strided(x.m, p[WeightStrideO]),
         std::move(weightDepth),
         {0, 0, 0}};
  x.b = {pointer(p[Input]),
         std::move(inputDepth),
         std::move(inputPixels),
         {p[InputStrideN], 0, 0}};
  x.c = {pointer(p[Output]),
         strided(x.m, p[OutputStrideO]),
         std::move(outputPixels),
         {p[OutputStrideN], 0, 0}};
  return x;
}

void matmulUkernel(void *context, const int64_t *params) {
  contract(*static_cast<ThreadPool *>(context), matmulContraction(params));
}

void conv2dUkernel(void *context, const int64_t *params) {
  contract(*static_cast<ThreadPool *>(context), conv2dContraction(params));
}

} // namespace avila::cpu
