//===- CommandPool.cpp - Command buffers begun from a pool ----------------===//

#include "runtime/hal/vulkan/CommandPool.h"

namespace avila::vulkan {

VkCommandBuffer beginCommandBuffer(const VulkanApi &api, VkDevice device,
                                   VkCommandPool pool,
                                   VkCommandBufferUsageFlags usage) {
  VkCommandBufferAllocateInfo allocateInfo =
      vkStruct<VkCommandBufferAllocateInfo>(
          VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  allocateInfo.commandPool = pool;
  allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  allocateInfo.commandBufferCount = 1;
  VkCommandBuffer commands = VK_NULL_HANDLE;
  check(api.vkAllocateCommandBuffers(device, &allocateInfo, &commands),
        "cannot allocate a command buffer");
  VkCommandBufferBeginInfo begin = vkStruct<VkCommandBufferBeginInfo>(
      VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  begin.flags = usage;
  const VkResult begun = api.vkBeginCommandBuffer(commands, &begin);
  if (begun != VK_SUCCESS)
    api.vkFreeCommandBuffers(device, pool, 1, &commands);
  check(begun, "cannot begin a command buffer");
  return commands;
}

} // namespace avila::vulkan
