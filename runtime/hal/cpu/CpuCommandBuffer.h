//===- CpuCommandBuffer.h - Kernel calls recorded for the CPU ----*- C++
//-*-===//
//
// Each dispatch becomes a kernel function and its argument array, built
// when it is recorded, so that running the schedule only calls functions.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_CPUCOMMANDBUFFER_H
#define AVILA_RUNTIME_HAL_CPU_CPUCOMMANDBUFFER_H

#include "runtime/hal/CommandBuffer.h"
#include "runtime/hal/cpu/SharedObject.h"

namespace avila::cpu {

class CpuCommandBuffer final : public hal::CommandBuffer {
public:
  // Dispatches run one after another on the submitting thread, and a
  // kernel returns only when all its work items have finished: every
  // dispatch already sees the writes of the ones before it.
  void barrier() override {}

  /// Calls every recorded kernel in order; with `dispatchSeconds`, appends
  /// how long each took.
  void run(std::vector<double> *dispatchSeconds) const;

private:
  void record(const hal::KernelLibrary &library, uint32_t kernel,
              std::span<const hal::BufferBinding> bindings,
              std::span<const int64_t> constants,
              const hal::WorkgroupCount &workgroups) override;

  struct Call {
    KernelFunction function;
    std::vector<int64_t> arguments;
  };
  std::vector<Call> calls;
};

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_CPUCOMMANDBUFFER_H
