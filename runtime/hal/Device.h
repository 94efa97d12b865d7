//===- Device.h - Where an artifact's kernels run ----------------*- C++
//-*-===//
//
// The runtime's hardware abstraction, modelled on IREE's HAL: a device
// allocates buffers, loads an artifact's code as a kernel library, creates
// command buffers and runs them. The executor schedules entry points through
// this interface alone; the CPU device (runtime/hal/cpu) runs x86 code, and
// the Vulkan device (runtime/hal/vulkan) maps each call onto its Vulkan
// counterpart (VkBuffer + VkDeviceMemory, VkPipeline per kernel,
// VkCommandBuffer, vkQueueSubmit + a fence).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_DEVICE_H
#define AVILA_RUNTIME_HAL_DEVICE_H

#include "runtime/artifact/Artifact.h"
#include "runtime/hal/Buffer.h"
#include "runtime/hal/CommandBuffer.h"
#include "runtime/hal/KernelLibrary.h"
#include "runtime/hal/MemoryUse.h"

#include <memory>
#include <string>
#include <vector>

namespace avila::hal {

class Device {
public:
  virtual ~Device();
  Device(const Device &) = delete;
  Device &operator=(const Device &) = delete;

  /// What to call the device in messages: "cpu".
  virtual std::string name() const = 0;
  /// The target whose code the device runs.
  virtual artifact::Target target() const = 0;

  /// `bytes` of device memory, uninitialized; `label` names it in messages.
  /// Throws avila::Error naming the buffer and its size when the device
  /// cannot provide it. The buffer counts in memoryUse() until it is
  /// destroyed, which must happen before the device is.
  std::unique_ptr<Buffer> allocate(int64_t bytes, std::string label);
  /// The bytes of the buffers allocated now, and the peak.
  const MemoryUse &memoryUse() const { return use; }
  /// "peak device memory: 3270.4 MiB on vulkan:0", as the tools print it.
  std::string peakMemoryReport() const;

  /// The kernels of `artifact`'s code. Throws avila::Error for an artifact
  /// without code or of another target, or code that needs what this device
  /// lacks (naming the feature).
  std::unique_ptr<KernelLibrary> loadKernelLibrary(const Artifact &artifact);

  virtual std::unique_ptr<CommandBuffer> createCommandBuffer() = 0;

  /// Runs `commands` and returns when all of them have finished; a command
  /// buffer may be submitted again. With `dispatchSeconds`, appends how long
  /// each dispatch took, in recording order.
  virtual void
  submitAndWait(CommandBuffer &commands,
                std::vector<double> *dispatchSeconds = nullptr) = 0;

protected:
  Device() = default;

  /// allocate and loadKernelLibrary after their checks.
  virtual std::unique_ptr<Buffer> allocateMemory(int64_t bytes,
                                                 std::string label) = 0;
  virtual std::unique_ptr<KernelLibrary> loadCode(const Artifact &artifact) = 0;

private:
  MemoryUse use;
};

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_DEVICE_H
