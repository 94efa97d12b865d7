//===- VulkanDevice.cpp - A Vulkan physical device as a HAL device --------===//

#include "runtime/hal/vulkan/VulkanDevice.h"
#include "runtime/base/Error.h"
#include "runtime/hal/vulkan/CommandPool.h"
#include "runtime/hal/vulkan/TargetFeatures.h"
#include "runtime/hal/vulkan/VulkanBuffer.h"
#include "runtime/hal/vulkan/VulkanCommandBuffer.h"
#include "runtime/hal/vulkan/VulkanKernelLibrary.h"

namespace avila::vulkan {

namespace {

PhysicalDevice chooseDevice(const VulkanInstance &instance,
                            std::string_view spec) {
  const std::vector<PhysicalDevice> devices = physicalDevices(instance);
  const PhysicalDevice &device = selectPhysicalDevice(devices, spec);
  // Vulkan 1.3: the cooperative-matrix kernels are SPIR-V 1.6, and GLSL
  // compiled for 1.3 (the HAL tests) uses LocalSizeId (maintenance4).
  if (device.apiVersion < VK_API_VERSION_1_3)
    fail(device.label() + " offers Vulkan " +
         std::to_string(VK_API_VERSION_MAJOR(device.apiVersion)) + "." +
         std::to_string(VK_API_VERSION_MINOR(device.apiVersion)) +
         "; the runtime needs 1.3");
  if (device.computeQueueFamily == UINT32_MAX)
    fail(device.label() + " has no compute queue");
  return device;
}

} // namespace

VulkanDevice::VulkanDevice(std::string_view spec)
    : instance(VulkanInstance::create()),
      physical(chooseDevice(*instance, spec)), functions(instance->api()) {
  // Every capability an artifact may name is enabled where the device has
  // it: the device exists before the artifact's code is loaded, and
  // enabling a feature costs nothing until a shader uses it.
  VkPhysicalDeviceCooperativeMatrixFeaturesKHR cooperativeMatrix =
      vkStruct<VkPhysicalDeviceCooperativeMatrixFeaturesKHR>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COOPERATIVE_MATRIX_FEATURES_KHR);
  cooperativeMatrix.cooperativeMatrix = VK_TRUE;
  // maintenance4 is core in 1.3, but still a feature to enable.
  VkPhysicalDeviceVulkan13Features features13 =
      vkStruct<VkPhysicalDeviceVulkan13Features>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES,
          physical.cooperativeMatrix ? &cooperativeMatrix : nullptr);
  features13.maintenance4 = VK_TRUE;
  VkPhysicalDeviceVulkan12Features features12 =
      vkStruct<VkPhysicalDeviceVulkan12Features>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, &features13);
  features12.shaderFloat16 = physical.shaderFloat16;
  features12.vulkanMemoryModel = physical.vulkanMemoryModel;
  VkPhysicalDeviceVulkan11Features features11 =
      vkStruct<VkPhysicalDeviceVulkan11Features>(
          VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES, &features12);
  features11.storageBuffer16BitAccess = physical.storageBuffer16BitAccess;
  VkPhysicalDeviceFeatures2 features = vkStruct<VkPhysicalDeviceFeatures2>(
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &features11);
  features.features.shaderInt64 = physical.shaderInt64;

  const float priority = 1.0f;
  VkDeviceQueueCreateInfo queueInfo = vkStruct<VkDeviceQueueCreateInfo>(
      VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queueInfo.queueFamilyIndex = physical.computeQueueFamily;
  queueInfo.queueCount = 1;
  queueInfo.pQueuePriorities = &priority;
  const char *extension = VK_KHR_COOPERATIVE_MATRIX_EXTENSION_NAME;
  VkDeviceCreateInfo info = vkStruct<VkDeviceCreateInfo>(
      VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, &features);
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queueInfo;
  info.enabledExtensionCount = physical.cooperativeMatrix ? 1 : 0;
  info.ppEnabledExtensionNames = &extension;
  check(functions.vkCreateDevice(physical.handle, &info, nullptr, &device),
        ("cannot open " + physical.label()).c_str());
  try {
    functions.loadDevice(device);
    functions.vkGetDeviceQueue(device, physical.computeQueueFamily, 0, &queue);
    VkFenceCreateInfo fenceInfo =
        vkStruct<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
    check(functions.vkCreateFence(device, &fenceInfo, nullptr, &fence),
          "cannot create a fence");
    VkCommandPoolCreateInfo poolInfo = vkStruct<VkCommandPoolCreateInfo>(
        VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
    poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT;
    poolInfo.queueFamilyIndex = physical.computeQueueFamily;
    check(functions.vkCreateCommandPool(device, &poolInfo, nullptr, &pool),
          "cannot create a command pool");
  } catch (...) {
    release();
    throw;
  }
}

VulkanDevice::~VulkanDevice() { release(); }

void VulkanDevice::release() {
  if (!device)
    return;
  if (hung) {
    // The instance too must outlive the work still running on the device.
    new std::shared_ptr<VulkanInstance>(std::move(instance));
    return;
  }
  if (functions.vkDeviceWaitIdle)
    functions.vkDeviceWaitIdle(device);
  if (pool)
    functions.vkDestroyCommandPool(device, pool, nullptr);
  if (fence)
    functions.vkDestroyFence(device, fence, nullptr);
  if (functions.vkDestroyDevice)
    functions.vkDestroyDevice(device, nullptr);
  device = VK_NULL_HANDLE;
}

std::unique_ptr<hal::Buffer> VulkanDevice::allocateMemory(int64_t bytes,
                                                          std::string label) {
  return std::make_unique<VulkanBuffer>(*this, bytes, std::move(label));
}

std::unique_ptr<hal::KernelLibrary>
VulkanDevice::loadCode(const Artifact &artifact) {
  std::vector<std::string> features;
  if (const auto *names = artifact.root().target_features())
    for (const flatbuffers::String *feature : *names)
      features.push_back(feature->str());
  requireTargetFeatures(physical, features);
  return std::make_unique<VulkanKernelLibrary>(*this, artifact);
}

std::unique_ptr<hal::CommandBuffer> VulkanDevice::createCommandBuffer() {
  return std::make_unique<VulkanCommandBuffer>(*this);
}

void VulkanDevice::submitAndWait(hal::CommandBuffer &commands,
                                 std::vector<double> *dispatchSeconds) {
  auto *recorded = dynamic_cast<VulkanCommandBuffer *>(&commands);
  if (!recorded)
    fail("the " + name() +
         " device cannot run a command buffer of another device");
  recorded->submit(dispatchSeconds);
}

void VulkanDevice::submit(VkCommandBuffer commands) {
  const std::lock_guard<std::mutex> lock(queueMutex);
  check(functions.vkResetFences(device, 1, &fence), "cannot reset a fence");
  VkSubmitInfo info = vkStruct<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  info.commandBufferCount = 1;
  info.pCommandBuffers = &commands;
  const std::string at = name() + ": cannot submit";
  check(functions.vkQueueSubmit(queue, 1, &info, fence), at.c_str());
  const uint64_t timeout =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kSubmitTimeout)
          .count();
  const VkResult waited =
      functions.vkWaitForFences(device, 1, &fence, VK_TRUE, timeout);
  if (waited == VK_TIMEOUT) {
    hung = true;
    fail(name() + ": the submission did not finish within " +
         std::to_string(kSubmitTimeout.count()) +
         " minutes (a kernel hangs, or the work is far beyond this device)");
  }
  check(waited, (name() + ": waiting for the submission").c_str());
  const std::string layerErrors = instance->takeLayerErrors();
  if (!layerErrors.empty())
    fail("a Vulkan layer reported errors on " + name() + ":\n" + layerErrors);
}

void VulkanDevice::runOnce(
    const std::function<void(VkCommandBuffer)> &commands) {
  const std::lock_guard<std::mutex> lock(poolMutex);
  const VkCommandBuffer buffer = beginCommandBuffer(
      functions, device, pool, VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT);
  try {
    commands(buffer);
    check(functions.vkEndCommandBuffer(buffer),
          "cannot record a command buffer");
    submit(buffer);
  } catch (...) {
    functions.vkFreeCommandBuffers(device, pool, 1, &buffer);
    throw;
  }
  functions.vkFreeCommandBuffers(device, pool, 1, &buffer);
}

} // namespace avila::vulkan
