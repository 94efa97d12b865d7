//===- PhysicalDevices.cpp - The Vulkan devices of this machine -----------===//

#include "runtime/hal/vulkan/PhysicalDevices.h"
#include "runtime/base/Error.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace avila::vulkan {

namespace {

std::string vendorName(uint32_t id) {
  switch (id) {
  case 0x10DE:
    return "NVIDIA";
  case 0x1002:
    return "AMD";
  case 0x8086:
    return "Intel";
  case 0x13B5:
    return "ARM";
  case 0x5143:
    return "Qualcomm";
  case 0x106B:
    return "Apple";
  case VK_VENDOR_ID_MESA:
    return "Mesa";
  default:
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%04x", id);
    return std::string("vendor ") + hex;
  }
}

// NVIDIA packs its driver version as 10.8.8.6 bits; everyone else uses
// Vulkan's version encoding. The driver's own text, where it has one,
// says more ("Mesa 22.3.6 (LLVM 15.0.6)").
std::string driverText(const VkPhysicalDeviceProperties &properties,
                       const VkPhysicalDeviceDriverProperties &driver) {
  const uint32_t v = properties.driverVersion;
  std::string version =
      properties.vendorID == 0x10DE
          ? std::to_string(v >> 22) + "." + std::to_string((v >> 14) & 0xff)
          : std::to_string(VK_API_VERSION_MAJOR(v)) + "." +
                std::to_string(VK_API_VERSION_MINOR(v)) + "." +
                std::to_string(VK_API_VERSION_PATCH(v));
  if (driver.driverName[0])
    version = std::string(driver.driverName) + " " + version;
  if (driver.driverInfo[0])
    version += " (" + std::string(driver.driverInfo) + ")";
  return version;
}

bool hasExtension(const VulkanApi &api, VkPhysicalDevice device,
                  const char *name) {
  uint32_t count = 0;
  api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
  std::vector<VkExtensionProperties> extensions(count);
  api.vkEnumerateDeviceExtensionProperties(device, nullptr, &count,
                                           extensions.data());
  for (const VkExtensionProperties &extension : extensions)
    if (std::strcmp(extension.extensionName, name) == 0)
      return true;
  return false;
}

// The shape the compiler's cooperative-matrix kernels use.
bool hasF16CooperativeMatrix(const VulkanApi &api, VkPhysicalDevice device) {
  if (!hasExtension(api, device, VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME) ||
      !api.vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR)
    return false;
  VkPhysicalDeviceCooperativeMatrixFeaturesKHR feature =
      vkStruct<VkPhysicalDeviceCooperativeMatrixFeaturesKHR>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR);
  VkPhysicalDeviceFeatures2 features = vkStruct<VkPhysicalDeviceFeatures2>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &feature);
  api.vkGetPhysicalDeviceFeatures2(device, &features);
  if (!feature.cooperativeMatrix)
    return false;
  uint32_t count = 0;
  if (api.vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(
          device, &count, nullptr) != VK_SUCCESS)
    return false;
  std::vector<VkCooperativeMatrixPropertiesKHR> shapes(
      count, vkStruct<VkCooperativeMatrixPropertiesKHR>(
                 VK_STRUCTURE_TYPE_COOPERATIVE_MATRIX_PROPERTIES_KHR));
  if (api.vkGetPhysicalDeviceCooperativeMatrixPropertiesKHR(
          device, &count, shapes.data()) != VK_SUCCESS)
    return false;
  for (const VkCooperativeMatrixPropertiesKHR &shape : shapes)
    if (shape.MSize == 16 && shape.NSize == 16 && shape.KSize == 16 &&
        shape.AType == VK_COMPONENT_TYPE_FLOAT16_KHR &&
        shape.BType == VK_COMPONENT_TYPE_FLOAT16_KHR &&
        shape.CType == VK_COMPONENT_TYPE_FLOAT32_KHR &&
        shape.ResultType == VK_COMPONENT_TYPE_FLOAT32_KHR &&
        shape.scope == VK_SCOPE_SUBGROUP_KHR)
      return true;
  return false;
}

PhysicalDevice describeDevice(const VulkanApi &api, VkPhysicalDevice handle,
                              uint32_t index) {
  PhysicalDevice device;
  device.handle = handle;
  device.index = index;
  VkPhysicalDeviceDriverProperties driver =
      vkStruct<VkPhysicalDeviceDriverProperties>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES);
  VkPhysicalDeviceMaintenance3Properties maintenance3 =
      vkStruct<VkPhysicalDeviceMaintenance3Properties>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES, &driver);
  VkPhysicalDeviceSubgroupProperties subgroup =
      vkStruct<VkPhysicalDeviceSubgroupProperties>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES, &maintenance3);
  VkPhysicalDeviceProperties2 properties =
      vkStruct<VkPhysicalDeviceProperties2>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &subgroup);
  api.vkGetPhysicalDeviceProperties2(handle, &properties);
  const VkPhysicalDeviceProperties &core = properties.properties;
  device.name = core.deviceName;
  device.vendor = vendorName(core.vendorID);
  device.driver = driverText(core, driver);
  device.type = core.deviceType;
  device.apiVersion = core.apiVersion;
  device.limits = core.limits;
  std::memcpy(device.pipelineCacheUuid.data(), core.pipelineCacheUUID,
              VK_UUID_SIZE);
  device.maxAllocation = maintenance3.maxMemoryAllocationSize;
  device.subgroupSize = subgroup.subgroupSize;
  device.subgroupArithmetic =
      (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
      (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT);
  device.subgroupShuffle =
      (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT) &&
      (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT);

  VkPhysicalDeviceVulkan12Features features12 =
      vkStruct<VkPhysicalDeviceVulkan12Features>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
  VkPhysicalDeviceVulkan11Features features11 =
      vkStruct<VkPhysicalDeviceVulkan11Features>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, &features12);
  VkPhysicalDeviceFeatures2 features = vkStruct<VkPhysicalDeviceFeatures2>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &features11);
  if (device.apiVersion >= VK_API_VERSION_1_2) {
    api.vkGetPhysicalDeviceFeatures2(handle, &features);
    device.shaderFloat16 = features12.shaderFloat16;
    device.vulkanMemoryModel = features12.vulkanMemoryModel;
    device.storageBuffer16BitAccess = features11.storageBuffer16BitAccess;
    device.shaderInt64 = features.features.shaderInt64;
  }
  device.cooperativeMatrix = hasF16CooperativeMatrix(api, handle);

  VkPhysicalDeviceMemoryProperties memory;
  api.vkGetPhysicalDeviceMemoryProperties(handle, &memory);
  for (uint32_t i = 0; i < memory.memoryHeapCount; ++i)
    if (memory.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      device.deviceMemory =
          std::max<uint64_t>(device.deviceMemory, memory.memoryHeaps[i].size);

  uint32_t families = 0;
  api.vkGetPhysicalDeviceQueueFamilyProperties(handle, &families, nullptr);
  std::vector<VkQueueFamilyProperties> queues(families);
  api.vkGetPhysicalDeviceQueueFamilyProperties(handle, &families,
                                               queues.data());
  // A compute-only family is where a GPU runs compute beside graphics.
  for (uint32_t i = 0; i < families; ++i) {
    const VkQueueFlags flags = queues[i].queueFlags;
    if (!(flags & VK_QUEUE_COMPUTE_BIT))
      continue;
    if (device.computeQueueFamily == UINT32_MAX ||
        !(flags & VK_QUEUE_GRAPHICS_BIT))
      device.computeQueueFamily = i;
  }
  return device;
}

} // namespace

std::string PhysicalDevice::label() const {
  return "vulkan:" + std::to_string(index) + " (" + name + ")";
}

std::string PhysicalDevice::describe() const {
  return "vulkan:" + std::to_string(index) + "  " + name + "  vendor " +
         vendor + "  driver " + driver + "  " +
         std::to_string(deviceMemory >> 20) + " MiB  cooperative matrix " +
         (cooperativeMatrix ? "yes" : "no") + "  subgroup size " +
         std::to_string(subgroupSize);
}

std::vector<PhysicalDevice> physicalDevices(const VulkanInstance &instance) {
  const VulkanApi &api = instance.api();
  uint32_t count = 0;
  check(api.vkEnumeratePhysicalDevices(instance.handle(), &count, nullptr),
        "cannot list the Vulkan devices");
  std::vector<VkPhysicalDevice> handles(count);
  check(
      api.vkEnumeratePhysicalDevices(instance.handle(), &count, handles.data()),
      "cannot list the Vulkan devices");
  std::vector<PhysicalDevice> devices;
  for (uint32_t i = 0; i < count; ++i)
    devices.push_back(describeDevice(api, handles[i], i));
  return devices;
}

const PhysicalDevice &selectPhysicalDevice(std::span<const PhysicalDevice> all,
                                           std::string_view spec) {
  std::string listing;
  for (const PhysicalDevice &device : all)
    listing += "\n  " + device.describe();
  if (all.empty())
    fail("no Vulkan device on this machine (the loader found a driver but "
         "no device); run with --device cpu");
  if (spec == "vulkan") {
    for (const PhysicalDevice &device : all)
      if (device.type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
        return device;
    return all.front();
  }
  const std::string_view number = spec.substr(spec.find(':') + 1);
  uint32_t index = 0;
  const auto [end, error] =
      std::from_chars(number.data(), number.data() + number.size(), index);
  if (!spec.starts_with("vulkan:") || number.empty() || error != std::errc() ||
      end != number.data() + number.size())
    fail("unknown device '" + std::string(spec) +
         "': name one as vulkan or vulkan:N; this machine has:" + listing);
  if (index >= all.size())
    fail("there is no device " + std::string(spec) + ": this machine has " +
         std::to_string(all.size()) + " Vulkan device" +
         (all.size() == 1 ? "" : "s") + ":" + listing);
  return all[index];
}

} // namespace avila::vulkan
