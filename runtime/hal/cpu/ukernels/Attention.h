//===- Attention.h - Multi-head attention without a scores tensor -*- C++ -*-=//
//
// The scores of SD's self-attention at a 64×64 latent are 4096×4096 per
// head: 1 GiB per layer if materialized. The ukernel instead walks key
// blocks per block of query rows, keeping a running maximum and sum per row
// (online softmax), so scores only ever exist as one cache-sized block.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_ATTENTION_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_ATTENTION_H

#include <cstdint>

namespace avila::cpu {

struct MicroKernel;

/// The import of UkernelAbi.h (attention::Param); `context` is the
/// ThreadPool.
void attentionUkernel(void *context, const int64_t *params);
/// The same with a given micro kernel variant.
void attentionUkernel(void *context, const int64_t *params,
                      const MicroKernel &micro);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_ATTENTION_H
