//===- HazardTracker.h - Where a schedule needs barriers ---------*- C++
//-*-===//
//
// A device may run the dispatches recorded between two barriers at once, so
// a dispatch must follow a barrier when it reads what one of them wrote
// (read after write), writes what one of them wrote (write after write), or
// writes what one of them still reads (write after read: the arena hands a
// dead tensor's bytes to a new one). Dispatches that touch disjoint buffer
// ranges, such as independent branches of a network, need none between
// them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_EXECUTOR_HAZARDTRACKER_H
#define AVILA_RUNTIME_EXECUTOR_HAZARDTRACKER_H

#include "runtime/hal/CommandBuffer.h"

#include <span>
#include <vector>

namespace avila {

class HazardTracker {
public:
  /// Whether a dispatch over `bindings`, used as `accesses` says, conflicts
  /// with a dispatch recorded since the last barrier, and so must follow a
  /// new one; the dispatch then counts as recorded.
  bool needsBarrier(std::span<const hal::BufferBinding> bindings,
                    std::span<const artifact::BindingAccess> accesses);

private:
  struct Range {
    const hal::Buffer *buffer;
    int64_t begin;
    int64_t end;
  };
  static bool overlapsAny(const Range &range, const std::vector<Range> &set);

  // What the dispatches since the last barrier read and write.
  std::vector<Range> read;
  std::vector<Range> written;
};

} // namespace avila

#endif // AVILA_RUNTIME_EXECUTOR_HAZARDTRACKER_H
