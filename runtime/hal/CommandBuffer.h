//===- CommandBuffer.h - Dispatches recorded for one submission -*- C++ -*-===//
//
// A schedule of kernel launches recorded once and then submitted to the
// device that created it, as a VkCommandBuffer is: each dispatch names a
// kernel, the buffer range behind each of its bindings (a descriptor set),
// its scalar arguments (push constants) and its workgroup count
// (vkCmdDispatch); barriers order dependent dispatches (pipeline barriers).
// Every dispatch is checked against its kernel's signature and every
// binding against its buffer here, whatever the device.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_COMMANDBUFFER_H
#define AVILA_RUNTIME_HAL_COMMANDBUFFER_H

#include "runtime/hal/Buffer.h"
#include "runtime/hal/KernelLibrary.h"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace avila::hal {

/// Bytes [offset, offset + length) of `buffer`, bound to a kernel.
struct BufferBinding {
  Buffer *buffer = nullptr;
  int64_t offset = 0;
  int64_t length = 0;
  /// The dense row-major shape the kernel views the range as. The CPU's
  /// kernel ABI passes it in every buffer's descriptor; kernels that take
  /// their sizes as push constants need not read it.
  std::vector<int64_t> shape;
};

/// Workgroups along x, y and z (vkCmdDispatch's group counts).
using WorkgroupCount = std::array<int64_t, 3>;

/// The most workgroups along one axis: Vulkan's guaranteed
/// maxComputeWorkGroupCount, so that a schedule any device accepts is one
/// every device accepts.
constexpr int64_t kMaxWorkgroupCount = 65535;

class CommandBuffer {
public:
  virtual ~CommandBuffer();
  CommandBuffer(const CommandBuffer &) = delete;
  CommandBuffer &operator=(const CommandBuffer &) = delete;

  /// Records `workgroups` workgroups of kernel `kernel` of `library` over
  /// `bindings` (its inputs, then its results) and `constants`. Throws
  /// avila::Error naming the kernel when the counts differ from its
  /// signature, a workgroup count lies outside [1, kMaxWorkgroupCount], or
  /// a binding does not lie within its buffer. The library and the buffers must
  /// belong to this command buffer's device and outlive its submissions.
  void dispatch(const KernelLibrary &library, uint32_t kernel,
                std::span<const BufferBinding> bindings,
                std::span<const int64_t> constants,
                const WorkgroupCount &workgroups);

  /// Dispatches recorded after the barrier start once those recorded before
  /// it have finished, and see what they wrote.
  virtual void barrier() = 0;

protected:
  CommandBuffer() = default;

  /// dispatch after its checks.
  virtual void record(const KernelLibrary &library, uint32_t kernel,
                      std::span<const BufferBinding> bindings,
                      std::span<const int64_t> constants,
                      const WorkgroupCount &workgroups) = 0;
};

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_COMMANDBUFFER_H
