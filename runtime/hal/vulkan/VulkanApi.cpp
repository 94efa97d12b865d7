//===- VulkanApi.cpp - The Vulkan functions, loaded from the loader -------===//

#include "runtime/hal/vulkan/VulkanApi.h"
#include "runtime/base/Error.h"

#include <dlfcn.h>

#include <string>

namespace avila::vulkan {

VulkanApi VulkanApi::load() {
  // Opened once and never closed: drivers keep threads and atexit handlers.
  static void *const loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!loader)
    fail("no Vulkan loader (libvulkan.so.1) on this machine: install it "
         "(Debian: libvulkan1) and a driver, or run with --device cpu");
  VulkanApi api;
  api.getInstanceProcAddr = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
      dlsym(loader, "vkGetInstanceProcAddr"));
  if (!api.getInstanceProcAddr)
    fail("the Vulkan loader libvulkan.so.1 exports no vkGetInstanceProcAddr");
#define AVILA_VK_LOAD(name)                                                    \
  api.name = reinterpret_cast<PFN_##name>(                                     \
      api.getInstanceProcAddr(VK_NULL_HANDLE, #name));
  AVILA_VK_GLOBAL_FUNCTIONS(AVILA_VK_LOAD)
#undef AVILA_VK_LOAD
  if (!api.vkCreateInstance || !api.vkEnumerateInstanceExtensionProperties)
    fail("the Vulkan loader libvulkan.so.1 lacks vkCreateInstance");
  return api;
}

void VulkanApi::loadInstance(VkInstance instance) {
#define AVILA_VK_LOAD(name)                                                    \
  name = reinterpret_cast<PFN_##name>(getInstanceProcAddr(instance, #name));
  AVILA_VK_INSTANCE_FUNCTIONS(AVILA_VK_LOAD)
#undef AVILA_VK_LOAD
  if (!vkDestroyInstance || !vkEnumeratePhysicalDevices ||
      !vkGetPhysicalDeviceProperties2 || !vkCreateDevice ||
      !vkGetDeviceProcAddr)
    fail("the Vulkan loader offers no Vulkan 1.1 instance functions");
}

void VulkanApi::loadDevice(VkDevice device) {
#define AVILA_VK_LOAD(name)                                                    \
  name = reinterpret_cast<PFN_##name>(vkGetDeviceProcAddr(device, #name));     \
  if (!name)                                                                   \
    fail("the Vulkan driver lacks " #name);
  AVILA_VK_DEVICE_FUNCTIONS(AVILA_VK_LOAD)
#undef AVILA_VK_LOAD
}

const char *resultName(VkResult result) {
  switch (result) {
#define AVILA_VK_RESULT(name)                                                  \
  case name:                                                                   \
    return #name;
    AVILA_VK_RESULT(VK_SUCCESS)
    AVILA_VK_RESULT(VK_NOT_READY)
    AVILA_VK_RESULT(VK_TIMEOUT)
    AVILA_VK_RESULT(VK_INCOMPLETE)
    AVILA_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    AVILA_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    AVILA_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    AVILA_VK_RESULT(VK_ERROR_DEVICE_LOST)
    AVILA_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    AVILA_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    AVILA_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    AVILA_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    AVILA_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    AVILA_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    AVILA_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    AVILA_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    AVILA_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
    AVILA_VK_RESULT(VK_ERROR_UNKNOWN)
#undef AVILA_VK_RESULT
  default:
    return "an unknown VkResult";
  }
}

void check(VkResult result, const char *what) {
  if (result == VK_SUCCESS)
    return;
  if (result == VK_ERROR_DEVICE_LOST)
    fail(std::string(what) +
         ": the Vulkan device was lost (VK_ERROR_DEVICE_LOST): the driver "
         "reset it after a fault or a hang; nothing more can run on it in "
         "this process");
  fail(std::string(what) + ": " + resultName(result) + " (" +
       std::to_string(result) + ")");
}

} // namespace avila::vulkan
