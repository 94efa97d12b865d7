//===- OpenDevice.h - The devices this runtime has ---------------*- C++
//-*-===//
//
// The one place that knows which devices this runtime has: tools open one
// by the name a user gives (--device) or by the artifact's target, and list
// them all (--list-devices).
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_OPENDEVICE_H
#define AVILA_RUNTIME_HAL_OPENDEVICE_H

#include "runtime/hal/Device.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace avila::hal {

/// Opens `device`: "cpu", "vulkan" (the first discrete GPU, else the first
/// Vulkan device), "vulkan:N" (the N-th Vulkan device), or "auto" (the
/// device that runs `target`'s code). `cpuThreads` is the CPU device's
/// thread count (0: one per hardware thread). Throws avila::Error for an
/// unknown name, a device that does not exist (listing those that do), no
/// Vulkan loader or driver, or a target no device of this runtime runs.
std::unique_ptr<Device> openDevice(std::string_view device,
                                   artifact::Target target,
                                   unsigned cpuThreads = 0);

/// One line per device of this machine: the CPU, then every Vulkan device
/// (index, name, vendor, driver, device memory, cooperative matrix,
/// subgroup size), or why there is none.
std::vector<std::string> listDevices();

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_OPENDEVICE_H
