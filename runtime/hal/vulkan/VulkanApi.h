//===- VulkanApi.h - The Vulkan functions, loaded from the loader -*- C++
//-*-===//
//
// The runtime opens the Vulkan loader (libvulkan.so.1) at run time rather
// than linking it, so that a machine without one still runs CPU artifacts
// and a Vulkan request fails with a message instead of the dynamic linker
// refusing to start the program. Every function comes from
// vkGetInstanceProcAddr / vkGetDeviceProcAddr into one table, as volk does.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANAPI_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANAPI_H

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan.h>

#include "runtime/hal/vulkan/CooperativeMatrix.h"

namespace avila::vulkan {

// Functions that need no instance.
#define AVILA_VK_GLOBAL_FUNCTIONS(X)                                           \
  X(vkCreateInstance)                                                          \
  X(vkEnumerateInstanceExtensionProperties)                                    \
  X(vkEnumerateInstanceVersion)

// Functions of an instance, and those of its extensions the runtime uses
// when present (null otherwise).
#define AVILA_VK_INSTANCE_FUNCTIONS(X)                                         \
  X(vkDestroyInstance)                                                         \
  X(vkEnumeratePhysicalDevices)                                                \
  X(vkGetPhysicalDeviceProperties)                                             \
  X(vkGetPhysicalDeviceProperties2)                                            \
  X(vkGetPhysicalDeviceFeatures2)                                              \
  X(vkGetPhysicalDeviceMemoryProperties)                                       \
  X(vkGetPhysicalDeviceQueueFamilyProperties)                                  \
  X(vkEnumerateDeviceExtensionProperties)                                      \
  X(vkCreateDevice)                                                            \
  X(vkGetDeviceProcAddr)                                                       \
  X(vkCreateDebugUtilsMessengerEXT)                                            \
  X(vkDestroyDebugUtilsMessengerEXT)                                           \
  X(vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR)

#define AVILA_VK_DEVICE_FUNCTIONS(X)                                           \
  X(vkDestroyDevice)                                                           \
  X(vkGetDeviceQueue)                                                          \
  X(vkDeviceWaitIdle)                                                          \
  X(vkCreateBuffer)                                                            \
  X(vkDestroyBuffer)                                                           \
  X(vkGetBufferMemoryRequirements)                                             \
  X(vkAllocateMemory)                                                          \
  X(vkFreeMemory)                                                              \
  X(vkBindBufferMemory)                                                        \
  X(vkMapMemory)                                                               \
  X(vkCreateShaderModule)                                                      \
  X(vkDestroyShaderModule)                                                     \
  X(vkCreateDescriptorSetLayout)                                               \
  X(vkDestroyDescriptorSetLayout)                                              \
  X(vkCreatePipelineLayout)                                                    \
  X(vkDestroyPipelineLayout)                                                   \
  X(vkCreateComputePipelines)                                                  \
  X(vkDestroyPipeline)                                                         \
  X(vkCreatePipelineCache)                                                     \
  X(vkDestroyPipelineCache)                                                    \
  X(vkGetPipelineCacheData)                                                    \
  X(vkCreateDescriptorPool)                                                    \
  X(vkDestroyDescriptorPool)                                                   \
  X(vkAllocateDescriptorSets)                                                  \
  X(vkUpdateDescriptorSets)                                                    \
  X(vkCreateCommandPool)                                                       \
  X(vkDestroyCommandPool)                                                      \
  X(vkAllocateCommandBuffers)                                                  \
  X(vkFreeCommandBuffers)                                                      \
  X(vkBeginCommandBuffer)                                                      \
  X(vkEndCommandBuffer)                                                        \
  X(vkCmdBindPipeline)                                                         \
  X(vkCmdBindDescriptorSets)                                                   \
  X(vkCmdPushConstants)                                                        \
  X(vkCmdDispatch)                                                             \
  X(vkCmdPipelineBarrier)                                                      \
  X(vkCmdCopyBuffer)                                                           \
  X(vkCmdResetQueryPool)                                                       \
  X(vkCmdWriteTimestamp)                                                       \
  X(vkCreateQueryPool)                                                         \
  X(vkDestroyQueryPool)                                                        \
  X(vkGetQueryPoolResults)                                                     \
  X(vkCreateFence)                                                             \
  X(vkDestroyFence)                                                            \
  X(vkResetFences)                                                             \
  X(vkWaitForFences)                                                           \
  X(vkQueueSubmit)

#define AVILA_VK_MEMBER(name) PFN_##name name = nullptr;

/// The functions of one instance and, once loadDevice ran, of one device.
struct VulkanApi {
  AVILA_VK_GLOBAL_FUNCTIONS(AVILA_VK_MEMBER)
  AVILA_VK_INSTANCE_FUNCTIONS(AVILA_VK_MEMBER)
  AVILA_VK_DEVICE_FUNCTIONS(AVILA_VK_MEMBER)

  /// The global functions from the loader. Throws avila::Error when there is
  /// no loader.
  static VulkanApi load();
  void loadInstance(VkInstance instance);
  /// Throws avila::Error naming a core function the driver lacks.
  void loadDevice(VkDevice device);

private:
  PFN_vkGetInstanceProcAddr getInstanceProcAddr = nullptr;
};

#undef AVILA_VK_MEMBER

/// A Vulkan structure of type `type`, zeroed but for its header: Vulkan's
/// structures have many fields, which a braced list would have to name.
template <typename T> T vkStruct(VkStructureType type, void *next = nullptr) {
  T value{};
  value.sType = type;
  value.pNext = next;
  return value;
}

/// Throws avila::Error "<what>: <result name>" unless `result` is
/// VK_SUCCESS; a lost device says so and what it means.
void check(VkResult result, const char *what);

/// VK_ERROR_OUT_OF_DEVICE_MEMORY and such, by name.
const char *resultName(VkResult result);

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANAPI_H
