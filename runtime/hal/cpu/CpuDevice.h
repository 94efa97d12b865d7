//===- CpuDevice.h - The host CPU as a device --------------------*- C++
//-*-===//
//
// Runs x86 artifacts: buffers in host memory, the artifact's shared object
// as kernel library, and command buffers that call the kernels in order on
// the submitting thread, their ukernels spreading work over the device's
// thread pool.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_CPUDEVICE_H
#define AVILA_RUNTIME_HAL_CPU_CPUDEVICE_H

#include "runtime/hal/Device.h"
#include "runtime/hal/cpu/ThreadPool.h"

namespace avila::cpu {

class CpuDevice final : public hal::Device {
public:
  /// Kernels run on `threads` threads (0: one per hardware thread; more
  /// than ThreadPool::kMaxOversubscription per hardware thread are
  /// refused).
  explicit CpuDevice(unsigned threads = 0);

  std::string name() const override { return "cpu"; }
  artifact::Target target() const override { return artifact::Target::X86; }
  std::unique_ptr<hal::CommandBuffer> createCommandBuffer() override;
  void submitAndWait(hal::CommandBuffer &commands,
                     std::vector<double> *dispatchSeconds) override;

private:
  std::unique_ptr<hal::Buffer> allocateMemory(int64_t bytes,
                                              std::string label) override;
  std::unique_ptr<hal::KernelLibrary>
  loadCode(const Artifact &artifact) override;

  ThreadPool pool;
};

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_CPUDEVICE_H
