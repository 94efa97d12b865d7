//===- CommandCache.h - Recorded runs kept for replay ------------*- C++
//-*-===//
//
// Recording an entry point evaluates its sizes, checks every binding and
// builds every dispatch; on Vulkan it also costs descriptor sets and a
// VkCommandBuffer. A sampler runs the same entry point with the same sizes
// every step, so the executor keeps, per (entry point, input shapes), the
// command buffer it recorded together with the input and output buffers its
// dispatches reference, and submits it again. The few most recently used
// runs of each entry point are kept, so that a server cycling through sizes
// holds a bounded number.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_EXECUTOR_COMMANDCACHE_H
#define AVILA_RUNTIME_EXECUTOR_COMMANDCACHE_H

#include "runtime/hal/Buffer.h"
#include "runtime/hal/CommandBuffer.h"

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace avila {

using Shapes = std::vector<std::vector<int64_t>>;

/// One entry point recorded for inputs of one set of shapes.
struct RecordedRun {
  Shapes inputShapes;
  Shapes outputShapes;
  /// What the dispatches read the inputs from and write the outputs to.
  std::vector<std::unique_ptr<hal::Buffer>> inputs;
  std::vector<std::unique_ptr<hal::Buffer>> outputs;
  std::unique_ptr<hal::CommandBuffer> commands;
};

class CommandCache {
public:
  /// How many runs of one entry point are kept.
  static constexpr size_t kRunsPerEntryPoint = 4;

  /// The run recorded for `entryPoint` over inputs of `shapes`, now the most
  /// recently used; nullptr when there is none.
  RecordedRun *find(const std::string &entryPoint, const Shapes &shapes);
  /// Keeps `run` as the most recently used of `entryPoint`, dropping the
  /// least recently used beyond kRunsPerEntryPoint.
  RecordedRun &insert(const std::string &entryPoint,
                      std::unique_ptr<RecordedRun> run);
  /// Drops every run: they reference weights or an arena being replaced.
  void clear() { runs.clear(); }

private:
  // Per entry point, most recently used first.
  std::map<std::string, std::list<std::unique_ptr<RecordedRun>>> runs;
};

} // namespace avila

#endif // AVILA_RUNTIME_EXECUTOR_COMMANDCACHE_H
