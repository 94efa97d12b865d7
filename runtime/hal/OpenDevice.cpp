//===- OpenDevice.cpp - The devices this runtime has ----------------------===//

#include "runtime/hal/OpenDevice.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/CpuDevice.h"
#include "runtime/hal/vulkan/VulkanDevice.h"

#include <thread>

namespace avila::hal {

namespace {

std::string listing() {
  std::string text;
  for (const std::string &line : listDevices())
    text += "\n  " + line;
  return text;
}

} // namespace

std::unique_ptr<Device> openDevice(std::string_view device,
                                   artifact::Target target,
                                   unsigned cpuThreads) {
  if (device == "auto") {
    if (target == artifact::Target::X86)
      device = "cpu";
    else if (target == artifact::Target::Vulkan)
      device = "vulkan";
    else
      fail(std::string("this runtime has no device that runs ") +
           targetName(target) + " artifacts");
  }
  if (device == "cpu")
    return std::make_unique<cpu::CpuDevice>(cpuThreads);
  if (device == "vulkan" || device.starts_with("vulkan:"))
    return std::make_unique<vulkan::VulkanDevice>(device);
  fail("unknown device '" + std::string(device) +
       "': name cpu, vulkan, vulkan:N or auto; this machine has:" + listing());
}

std::vector<std::string> listDevices() {
  std::vector<std::string> lines{
      "cpu  " + std::to_string(std::thread::hardware_concurrency()) +
      " hardware threads  runs X86 artifacts"};
  try {
    const std::shared_ptr<vulkan::VulkanInstance> instance =
        vulkan::VulkanInstance::create();
    const std::vector<vulkan::PhysicalDevice> devices =
        vulkan::physicalDevices(*instance);
    for (const vulkan::PhysicalDevice &device : devices)
      lines.push_back(device.describe());
    if (devices.empty())
      lines.push_back("vulkan: no device");
  } catch (const Error &error) {
    lines.push_back(std::string("vulkan: none (") + error.what() + ")");
  }
  return lines;
}

} // namespace avila::hal
