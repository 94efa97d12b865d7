//===- HazardTracker.cpp - Where a schedule needs barriers ----------------===//

#include "runtime/executor/HazardTracker.h"

namespace avila {

namespace fb = artifact;

bool HazardTracker::overlapsAny(const Range &range,
                                const std::vector<Range> &set) {
  for (const Range &other : set)
    if (other.buffer == range.buffer && other.begin < range.end &&
        range.begin < other.end)
      return true;
  return false;
}

bool HazardTracker::needsBarrier(std::span<const hal::BufferBinding> bindings,
                                 std::span<const fb::BindingAccess> accesses) {
  std::vector<Range> reads, writes;
  for (size_t i = 0; i < bindings.size(); ++i) {
    const hal::BufferBinding &binding = bindings[i];
    const Range range{binding.buffer, binding.offset,
                      binding.offset + binding.length};
    if (accesses[i] != fb::BindingAccess::Write)
      reads.push_back(range);
    if (accesses[i] != fb::BindingAccess::Read)
      writes.push_back(range);
  }
  bool hazard = false;
  for (const Range &range : reads)
    hazard = hazard || overlapsAny(range, written);
  for (const Range &range : writes)
    hazard = hazard || overlapsAny(range, written) || overlapsAny(range, read);
  if (hazard) {
    read.clear();
    written.clear();
  }
  read.insert(read.end(), reads.begin(), reads.end());
  written.insert(written.end(), writes.begin(), writes.end());
  return hazard;
}

} // namespace avila
