//===- ParallelFor.h - Kernel loops on the thread pool ----------*- C++ -*-===//
//
// The import behind every outlined parallel loop of a compiled kernel (see
// UkernelAbi.h, parallel_for::Param): the items are cut into a few ranges
// per thread, so uneven items still balance and the pool is woken once.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_UKERNELS_PARALLELFOR_H
#define AVILA_RUNTIME_HAL_CPU_UKERNELS_PARALLELFOR_H

#include <cstdint>

namespace avila::cpu {

/// `context` is the ThreadPool.
void parallelForUkernel(void *context, const int64_t *params);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_UKERNELS_PARALLELFOR_H
