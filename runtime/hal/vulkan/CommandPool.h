//===- CommandPool.h - Command buffers begun from a pool --------*- C++ -*-===//
//
// The device's one-shot copies and the HAL's recorded dispatches both start
// a primary command buffer the same way; this is that start.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_COMMANDPOOL_H
#define AVILA_RUNTIME_HAL_VULKAN_COMMANDPOOL_H

#include "runtime/hal/vulkan/VulkanApi.h"

namespace avila::vulkan {

/// A primary command buffer from `pool`, begun with `usage` and ready to
/// record into. The caller frees it (or destroys the pool). Throws
/// avila::Error, having freed the buffer, when either step fails. The caller
/// synchronizes access to `pool`.
VkCommandBuffer beginCommandBuffer(const VulkanApi &api, VkDevice device,
                                   VkCommandPool pool,
                                   VkCommandBufferUsageFlags usage);

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_COMMANDPOOL_H
