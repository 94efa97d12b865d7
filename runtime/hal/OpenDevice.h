//===- OpenDevice.h - The device that runs a target's code -------*- C++
//-*-===//
//
// The one place that knows which devices this runtime has, so that tools
// run any artifact by its target without naming a device.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_OPENDEVICE_H
#define AVILA_RUNTIME_HAL_OPENDEVICE_H

#include "runtime/hal/Device.h"

#include <memory>

namespace avila::hal {

/// A device that runs `target`'s code. `cpuThreads` is the CPU device's
/// thread count (0: one per hardware thread). Throws avila::Error for a
/// target no device of this runtime runs.
std::unique_ptr<Device> openDevice(artifact::Target target,
                                   unsigned cpuThreads = 0);

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_OPENDEVICE_H
