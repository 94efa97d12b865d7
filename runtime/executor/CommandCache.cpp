//===- CommandCache.cpp - Recorded runs kept for replay -------------------===//

#include "runtime/executor/CommandCache.h"

#include <algorithm>

namespace avila {

RecordedRun *CommandCache::find(const std::string &entryPoint,
                                const Shapes &shapes) {
  const auto found = runs.find(entryPoint);
  if (found == runs.end())
    return nullptr;
  std::list<std::unique_ptr<RecordedRun>> &recorded = found->second;
  const auto run = std::find_if(
      recorded.begin(), recorded.end(),
      [&](const auto &candidate) { return candidate->inputShapes == shapes; });
  if (run == recorded.end())
    return nullptr;
  recorded.splice(recorded.begin(), recorded, run);
  return recorded.front().get();
}

RecordedRun &CommandCache::insert(const std::string &entryPoint,
                                  std::unique_ptr<RecordedRun> run) {
  std::list<std::unique_ptr<RecordedRun>> &recorded = runs[entryPoint];
  recorded.push_front(std::move(run));
  if (recorded.size() > kRunsPerEntryPoint)
    recorded.pop_back();
  return *recorded.front();
}

} // namespace avila
