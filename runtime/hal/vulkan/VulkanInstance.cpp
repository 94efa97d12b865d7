//===- VulkanInstance.cpp - The Vulkan instance and its messages ----------===//

#include "runtime/hal/vulkan/VulkanInstance.h"
#include "runtime/base/Error.h"

#include <cstring>

namespace avila::vulkan {

namespace {

bool offersDebugUtils(const VulkanApi &api) {
  uint32_t count = 0;
  if (api.vkEnumerateInstanceExtensionProperties(nullptr, &count, nullptr) !=
      VK_SUCCESS)
    return false;
  std::vector<VkExtensionProperties> extensions(count);
  if (api.vkEnumerateInstanceExtensionProperties(
          nullptr, &count, extensions.data()) != VK_SUCCESS)
    return false;
  for (const VkExtensionProperties &extension : extensions)
    if (std::strcmp(extension.extensionName,
                    VK_EXT_DEBUG_UTILS_EXTENSION_NAME) == 0)
      return true;
  return false;
}

} // namespace

std::shared_ptr<VulkanInstance> VulkanInstance::create() {
  std::shared_ptr<VulkanInstance> self(new VulkanInstance);
  self->functions = VulkanApi::load();
  const VulkanApi &api = self->functions;
  uint32_t version = VK_API_VERSION_1_0;
  if (api.vkEnumerateInstanceVersion)
    api.vkEnumerateInstanceVersion(&version);
  if (version < VK_API_VERSION_1_3)
    fail("the Vulkan loader offers Vulkan " +
         std::to_string(VK_API_VERSION_MAJOR(version)) + "." +
         std::to_string(VK_API_VERSION_MINOR(version)) +
         "; the runtime needs 1.3");
  VkApplicationInfo application =
      vkStruct<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  application.pApplicationName = "avila";
  application.pEngineName = "avila";
  application.apiVersion = VK_API_VERSION_1_3;
  const bool debugUtils = offersDebugUtils(api);
  const char *extension = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
  VkInstanceCreateInfo info =
      vkStruct<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &application;
  info.enabledExtensionCount = debugUtils ? 1 : 0;
  info.ppEnabledExtensionNames = &extension;
  const VkResult created =
      api.vkCreateInstance(&info, nullptr, &self->instance);
  if (created == VK_ERROR_INCOMPATIBLE_DRIVER)
    fail("no Vulkan driver on this machine (vkCreateInstance: "
         "VK_ERROR_INCOMPATIBLE_DRIVER); install one (Debian: "
         "mesa-vulkan-drivers) or run with --device cpu");
  check(created, "cannot create a Vulkan instance");
  self->functions.loadInstance(self->instance);
  if (debugUtils && api.vkCreateDebugUtilsMessengerEXT) {
    VkDebugUtilsMessengerCreateInfoEXT messengerInfo =
        vkStruct<VkDebugUtilsMessengerCreateInfoEXT>(
            VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT);
    messengerInfo.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = &VulkanInstance::collect;
    messengerInfo.pUserData = self.get();
    check(api.vkCreateDebugUtilsMessengerEXT(self->instance, &messengerInfo,
                                             nullptr, &self->messenger),
          "cannot create a Vulkan debug messenger");
  }
  return self;
}

VulkanInstance::~VulkanInstance() {
  if (messenger)
    functions.vkDestroyDebugUtilsMessengerEXT(instance, messenger, nullptr);
  if (instance)
    functions.vkDestroyInstance(instance, nullptr);
}

VkBool32 VulkanInstance::collect(
    VkDebugUtilsMessageSeverityFlagBitsEXT /*only errors are asked for*/,
    VkDebugUtilsMessageTypeFlagsEXT /*types*/,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *self) {
  auto *instance = static_cast<VulkanInstance *>(self);
  const std::lock_guard<std::mutex> lock(instance->messagesMutex);
  instance->messages.push_back(data && data->pMessage ? data->pMessage
                                                      : "(no message)");
  // VK_FALSE: the call that triggered the message goes on, as the
  // specification requires of applications.
  return VK_FALSE;
}

std::string VulkanInstance::takeLayerErrors() {
  const std::lock_guard<std::mutex> lock(messagesMutex);
  std::string joined;
  for (const std::string &message : messages)
    joined += (joined.empty() ? "" : "\n") + message;
  messages.clear();
  return joined;
}

} // namespace avila::vulkan
