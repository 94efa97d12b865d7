//===- PhysicalDevices.h - The Vulkan devices of this machine ----*- C++
//-*-===//
//
// What the runtime needs to know of each physical device, read once:
// its name, vendor and driver for listings and messages, the limits the
// HAL checks bindings against, the capabilities an artifact may require,
// and its compute queue family. Selection by "vulkan" (the first discrete
// GPU, else the first device) or "vulkan:N" lives here too, as in IREE's
// physical_device_selection.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_PHYSICALDEVICES_H
#define AVILA_RUNTIME_HAL_VULKAN_PHYSICALDEVICES_H

#include "runtime/hal/vulkan/VulkanInstance.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace avila::vulkan {

struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  uint32_t index = 0;
  std::string name;
  std::string vendor;
  std::string driver;
  VkPhysicalDeviceType type = VK_PHYSICAL_DEVICE_TYPE_OTHER;
  uint32_t apiVersion = 0;
  VkPhysicalDeviceLimits limits{};
  std::array<uint8_t, VK_UUID_SIZE> pipelineCacheUuid{};
  /// Bytes of the largest device-local heap.
  uint64_t deviceMemory = 0;
  /// VkPhysicalDeviceMaintenance3Properties: the largest single allocation.
  uint64_t maxAllocation = 0;
  uint32_t subgroupSize = 0;
  bool shaderFloat16 = false;
  bool storageBuffer16BitAccess = false;
  bool shaderInt64 = false;
  /// Subgroup arithmetic (reductions) in compute shaders.
  bool subgroupArithmetic = false;
  /// Subgroup shuffles in compute shaders.
  bool subgroupShuffle = false;
  bool vulkanMemoryModel = false;
  /// VK_KHR_cooperative_matrix with a 16×16×16 f16×f16→f32 subgroup shape.
  bool cooperativeMatrix = false;
  /// A queue family with compute, or UINT32_MAX.
  uint32_t computeQueueFamily = UINT32_MAX;

  /// "vulkan:0 llvmpipe (...)": what to call it in messages.
  std::string label() const;
  /// One line of --list-devices.
  std::string describe() const;
};

/// Every physical device of `instance`, in the loader's order.
std::vector<PhysicalDevice> physicalDevices(const VulkanInstance &instance);

/// The device `spec` names: "vulkan" (the first discrete GPU, else the first
/// device) or "vulkan:N". Throws avila::Error listing the devices when there
/// is none such.
const PhysicalDevice &selectPhysicalDevice(std::span<const PhysicalDevice> all,
                                           std::string_view spec);

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_PHYSICALDEVICES_H
