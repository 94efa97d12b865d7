//===- ParallelFor.cpp - Kernel loops on the thread pool ------------------===//

#include "runtime/hal/cpu/ukernels/ParallelFor.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include <algorithm>

namespace avila::cpu {

namespace {
constexpr int64_t kRangesPerThread = 4;
} // namespace

void parallelForUkernel(void *context, const int64_t *p) {
  using namespace parallel_for;
  const auto task = reinterpret_cast<TaskFunction>(p[Task]);
  void *environment = reinterpret_cast<void *>(p[Environment]);
  const int64_t items = p[Items];
  auto &pool = *static_cast<ThreadPool *>(context);
  const int64_t ranges =
      std::min<int64_t>(items, kRangesPerThread * pool.size());
  pool.parallelFor(ranges, [&](int64_t range) {
    task(environment, items * range / ranges, items * (range + 1) / ranges);
  });
}

} // namespace avila::cpu
