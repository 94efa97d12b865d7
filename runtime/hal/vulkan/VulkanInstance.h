//===- VulkanInstance.h - The Vulkan instance and its messages ---*- C++
//-*-===//
//
// One VkInstance with the loader's functions. Where VK_EXT_debug_utils is
// offered (the loader implements it, so always when a validation layer is
// enabled, e.g. VK_INSTANCE_LAYERS=VK_LAYER_KHRONOS_validation), the
// instance collects every error a layer reports, and the device turns them
// into avila::Errors after each submission, so a validation failure fails
// the run instead of scrolling by on stderr.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANINSTANCE_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANINSTANCE_H

#include "runtime/hal/vulkan/VulkanApi.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace avila::vulkan {

class VulkanInstance {
public:
  /// Throws avila::Error when there is no loader or no instance can be
  /// created (no driver, or a loader older than Vulkan 1.3).
  static std::shared_ptr<VulkanInstance> create();
  ~VulkanInstance();
  VulkanInstance(const VulkanInstance &) = delete;
  VulkanInstance &operator=(const VulkanInstance &) = delete;

  VkInstance handle() const { return instance; }
  const VulkanApi &api() const { return functions; }

  /// The errors layers reported since the last call, one per line; empty
  /// when there were none.
  std::string takeLayerErrors();

private:
  VulkanInstance() = default;
  static VKAPI_ATTR VkBool32 VKAPI_CALL
  collect(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
          VkDebugUtilsMessageTypeFlagsEXT types,
          const VkDebugUtilsMessengerCallbackDataEXT *data, void *self);

  VulkanApi functions;
  VkInstance instance = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
  std::mutex messagesMutex;
  std::vector<std::string> messages;
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANINSTANCE_H
