//===- VulkanDevice.h - A Vulkan physical device as a HAL device -*- C++
//-*-===//
//
// Runs Vulkan artifacts: a logical device with one compute queue, every
// capability an artifact may ask for enabled where the device has it,
// buffers in device memory, one pipeline per kernel, and command buffers
// submitted with a fence whose wait has a deadline, so that a hung kernel
// becomes an error instead of a hung process.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANDEVICE_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANDEVICE_H

#include "runtime/hal/Device.h"
#include "runtime/hal/vulkan/PhysicalDevices.h"

#include <chrono>
#include <functional>
#include <mutex>

namespace avila::vulkan {

/// How long a submission may run before it counts as hung.
constexpr std::chrono::minutes kSubmitTimeout{10};

class VulkanDevice final : public hal::Device {
public:
  /// Opens the device `spec` names ("vulkan" or "vulkan:N"). Throws
  /// avila::Error listing the devices when there is none such, or when it
  /// has no compute queue or predates Vulkan 1.3.
  explicit VulkanDevice(std::string_view spec);
  ~VulkanDevice() override;

  std::string name() const override { return physical.label(); }
  artifact::Target target() const override { return artifact::Target::Vulkan; }
  std::unique_ptr<hal::CommandBuffer> createCommandBuffer() override;
  void submitAndWait(hal::CommandBuffer &commands,
                     std::vector<double> *dispatchSeconds) override;

  const VulkanApi &api() const { return functions; }
  VkDevice handle() const { return device; }
  const PhysicalDevice &properties() const { return physical; }
  uint32_t queueFamily() const { return physical.computeQueueFamily; }

  /// Submits `commands` (recorded, ended) and waits for them. Throws
  /// avila::Error when the device is lost, the deadline passes or a
  /// validation layer reported an error.
  void submit(VkCommandBuffer commands);
  /// Records `commands` into a one-time command buffer and submits it
  /// (staging copies).
  void runOnce(const std::function<void(VkCommandBuffer)> &commands);
  /// Whether a submission was given up on at its deadline: the device may
  /// still be running it (a CPU device such as lavapipe, on its own
  /// threads), so nothing it may touch is destroyed any more — the objects
  /// are left to the process's exit instead of freed under running work.
  bool abandonedWork() const { return hung; }

private:
  std::unique_ptr<hal::Buffer> allocateMemory(int64_t bytes,
                                              std::string label) override;
  std::unique_ptr<hal::KernelLibrary>
  loadCode(const Artifact &artifact) override;
  /// Destroys what the constructor created, in reverse.
  void release();

  std::shared_ptr<VulkanInstance> instance;
  PhysicalDevice physical;
  VulkanApi functions;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  // For runOnce; command buffers of the HAL have pools of their own.
  VkCommandPool pool = VK_NULL_HANDLE;
  // A queue and a command pool are used by one thread at a time.
  std::mutex queueMutex;
  std::mutex poolMutex;
  // A submission outlived kSubmitTimeout.
  bool hung = false;
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANDEVICE_H
