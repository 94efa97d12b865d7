//===- Attention.cpp - Multi-head attention without a scores tensor -------===//
//
// One work item is a block of query rows of one (batch, head). Per key
// block: S = Q Kᵀ (micro kernel over packed panels), one online-softmax step
// per row (S becomes P, earlier partial outputs are rescaled), O += P V.
// At the end O / Σ is written out.
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ukernels/Attention.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"
#include "runtime/hal/cpu/ukernels/Packing.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace avila::cpu {

namespace {

constexpr int64_t kPanelsPerQueryBlock = 8;
constexpr int64_t kPanelsPerKeyBlock = 8;

// c[r · rowStride + j] += Σ_k a[r, k] · b[k, j] over a packed rows × depth
// block of A and a packed depth × columns block of B.
void multiplyPacked(const MicroKernel &micro, int64_t depth, const float *a,
                    int64_t rows, const float *b, int64_t columns, float *c,
                    int64_t rowStride) {
  int64_t offsets[64];
  for (int64_t ir = 0; ir < rows; ir += micro.rows) {
    const int64_t validRows = std::min<int64_t>(micro.rows, rows - ir);
    for (int64_t r = 0; r < validRows; ++r)
      offsets[r] = (ir + r) * rowStride;
    for (int64_t jr = 0; jr < columns; jr += micro.columns)
      micro.run(depth, a + ir * depth, b + jr * depth, c + jr, offsets,
                validRows, std::min<int64_t>(micro.columns, columns - jr));
  }
}

} // namespace

void attentionUkernel(void *context, const int64_t *p) {
  attentionUkernel(context, p, bestMicroKernel());
}

void attentionUkernel(void *context, const int64_t *p,
                      const MicroKernel &micro) {
  using namespace attention;
  const int64_t batch = p[Batch], heads = p[Heads], queries = p[QueryLength],
                keys = p[KeyLength], depth = p[HeadDim],
                width = p[ValueHeadDim];
  const float scale = std::bit_cast<float>(static_cast<uint32_t>(p[ScaleBits]));
  if (batch * heads * queries * width == 0)
    return;
  const int64_t *qs = p + QueryStrides, *ks = p + KeyStrides,
                *vs = p + ValueStrides, *os = p + OutputStrides;
  const int64_t mr = micro.rows, nr = micro.columns;
  const int64_t rowBlock = mr * kPanelsPerQueryBlock;
  const int64_t keyBlock = nr * kPanelsPerKeyBlock;
  const int64_t paddedWidth = roundUp(width, nr);

  // Q as A (rows: positions, depth: channels); K as B (depth: channels,
  // columns: keys); V as B (depth: keys, columns: channels); P as A from
  // the scores block.
  const Operand query{nullptr, strided(queries, qs[1]), strided(depth, qs[3])};
  const Operand key{nullptr, strided(depth, ks[3]), strided(keys, ks[1])};
  const Operand value{nullptr, strided(keys, vs[1]), strided(width, vs[3])};
  const Operand probabilities{nullptr, strided(rowBlock, keyBlock),
                              strided(keyBlock, 1)};
  const int64_t rowBlocks = (queries + rowBlock - 1) / rowBlock;

  auto item = [&](int64_t index) {
    const int64_t block = index % rowBlocks, head = index / rowBlocks % heads,
                  b = index / rowBlocks / heads;
    const float *q =
        reinterpret_cast<const float *>(p[Query]) + b * qs[0] + head * qs[2];
    const float *k =
        reinterpret_cast<const float *>(p[Key]) + b * ks[0] + head * ks[2];
    const float *v =
        reinterpret_cast<const float *>(p[Value]) + b * vs[0] + head * vs[2];
    float *out =
        reinterpret_cast<float *>(p[Output]) + b * os[0] + head * os[2];
    const int64_t row0 = block * rowBlock;
    const int64_t rows = std::min(rowBlock, queries - row0);
    const int64_t paddedRows = roundUp(rows, mr);

    float *qPack = scratch(0, paddedRows * depth);
    float *kPack = scratch(1, keyBlock * depth);
    float *scores = scratch(2, rowBlock * keyBlock);
    float *pPack = scratch(3, rowBlock * keyBlock);
    float *vPack = scratch(4, keyBlock * paddedWidth);
    float *o = scratch(5, rowBlock * paddedWidth);
    float *maxima = scratch(6, rowBlock);
    float *sums = scratch(7, rowBlock);
    std::fill(o, o + rows * paddedWidth, 0.0f);
    std::fill(maxima, maxima + rows, -INFINITY);
    std::fill(sums, sums + rows, 0.0f);

    packRowPanels(q, query, row0, rows, 0, depth, mr, qPack);
    for (int64_t j0 = 0; j0 < keys; j0 += keyBlock) {
      const int64_t columns = std::min(keyBlock, keys - j0);
      packColumnPanels(k, key, 0, depth, j0, columns, nr, kPack);
      std::fill(scores, scores + rows * keyBlock, 0.0f);
      multiplyPacked(micro, depth, qPack, rows, kPack, columns, scores,
                     keyBlock);
      for (int64_t r = 0; r < rows; ++r) {
        const float alpha = micro.softmaxStep(scores + r * keyBlock, columns,
                                              scale, maxima[r], sums[r]);
        float *row = o + r * paddedWidth;
        for (int64_t e = 0; e < width; ++e)
          row[e] *= alpha;
      }
      packRowPanels(scores, probabilities, 0, rows, 0, columns, mr, pPack);
      packColumnPanels(v, value, j0, columns, 0, width, nr, vPack);
      multiplyPacked(micro, columns, pPack, rows, vPack, width, o, paddedWidth);
    }
    for (int64_t r = 0; r < rows; ++r) {
      float *target = out + (row0 + r) * os[1];
      const float inverse = 1.0f / sums[r];
      for (int64_t e = 0; e < width; ++e)
        target[e * os[3]] = o[r * paddedWidth + e] * inverse;
    }
  };
  static_cast<ThreadPool *>(context)->parallelFor(batch * heads * rowBlocks,
                                                  item);
}

} // namespace avila::cpu
