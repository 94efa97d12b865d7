//===- LocalDevice.cpp - What this machine's Vulkan device offers ---------===//

#include "compiler/targets/spirv/LocalDevice.h"
#include "runtime/base/Error.h"
#include "runtime/hal/vulkan/PhysicalDevices.h"

#include <variant>

namespace avila::spirv {

namespace {

DeviceProfile capabilities(const vulkan::PhysicalDevice &device) {
  DeviceProfile profile;
  profile.device = device.label();
  profile.subgroupSize = device.subgroupSize;
  profile.maxWorkgroupMemory = device.limits.maxComputeSharedMemorySize;
  profile.maxWorkgroupInvocations =
      device.limits.maxComputeWorkGroupInvocations;
  profile.maxStorageBufferRange = device.limits.maxStorageBufferRange;
  profile.float16 = device.shaderFloat16 && device.storageBuffer16BitAccess;
  // What an artifact with cooperative-matrix kernels requires besides the
  // 16×16×16 shape: the Vulkan memory model and f16 storage.
  profile.cooperativeMatrix =
      device.cooperativeMatrix && device.vulkanMemoryModel && profile.float16;
  return profile;
}

// The HAL reports what is missing by throwing; the compiler's libraries are
// built without exceptions, so the answer leaves this file as a value.
std::variant<DeviceProfile, std::string> ask() {
  try {
    const auto instance = vulkan::VulkanInstance::create();
    const std::vector<vulkan::PhysicalDevice> devices =
        vulkan::physicalDevices(*instance);
    if (devices.empty())
      return std::string("the Vulkan loader found a driver but no device");
    return capabilities(vulkan::selectPhysicalDevice(devices, "vulkan"));
  } catch (const Error &error) {
    return std::string(error.what());
  }
}

} // namespace

llvm::Expected<DeviceProfile> localDeviceCapabilities() {
  static const std::variant<DeviceProfile, std::string> answer = ask();
  if (const auto *profile = std::get_if<DeviceProfile>(&answer))
    return *profile;
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 std::get<std::string>(answer));
}

} // namespace avila::spirv
