//===- VulkanCommandBuffer.h - Dispatches recorded for a Vulkan queue -*- C++
//-*-===//
//
// Dispatches and barriers are kept as they are recorded and turned into a
// VkCommandBuffer at the first submission: then the number of descriptor
// sets and timestamps is known, so one descriptor pool and one query pool
// of exactly that size serve the whole schedule. Each dispatch gets its own
// descriptor set (its buffer ranges), binds its pipeline, pushes its
// constants and dispatches; a barrier makes compute writes visible to the
// compute work after it. The command buffer is then submitted again as
// often as the executor replays it; a profiled submission uses a second
// command buffer with a timestamp around every dispatch.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANCOMMANDBUFFER_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANCOMMANDBUFFER_H

#include "runtime/hal/CommandBuffer.h"
#include "runtime/hal/vulkan/VulkanApi.h"

#include <array>
#include <vector>

namespace avila::vulkan {

class VulkanDevice;

class VulkanCommandBuffer final : public hal::CommandBuffer {
public:
  explicit VulkanCommandBuffer(VulkanDevice &device);
  ~VulkanCommandBuffer() override;

  void barrier() override;

  /// Submits the schedule and waits for it; with `dispatchSeconds`, appends
  /// each dispatch's GPU time from timestamp queries.
  void submit(std::vector<double> *dispatchSeconds);

private:
  void record(const hal::KernelLibrary &library, uint32_t kernel,
              std::span<const hal::BufferBinding> bindings,
              std::span<const int64_t> constants,
              const hal::WorkgroupCount &workgroups) override;
  /// The VkCommandBuffer of the schedule, with timestamps or without,
  /// built at its first use.
  VkCommandBuffer build(bool timed);
  /// Descriptor sets for every dispatch, written once.
  void writeDescriptorSets();

  struct Dispatch {
    VkPipeline pipeline;
    VkPipelineLayout layout;
    VkDescriptorSetLayout setLayout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    std::vector<VkDescriptorBufferInfo> buffers;
    std::vector<uint8_t> pushConstants;
    hal::WorkgroupCount workgroups;
    /// Whether a barrier comes before it.
    bool afterBarrier;
  };

  VulkanDevice &device;
  std::vector<Dispatch> dispatches;
  bool barrierPending = false;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkDescriptorPool descriptorPool = VK_NULL_HANDLE;
  VkQueryPool queries = VK_NULL_HANDLE;
  /// Untimed and timed.
  std::array<VkCommandBuffer, 2> built{};
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANCOMMANDBUFFER_H
