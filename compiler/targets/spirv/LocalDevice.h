//===- LocalDevice.h - What this machine's Vulkan device offers --*- C++
//-*-===//
//
// `--device-profile auto` builds the profile from the device the kernels
// will run on. The runtime's Vulkan HAL already reads every limit and
// capability a profile holds (PhysicalDevices.h), so the compiler asks it
// rather than the loader directly; the runtime links no compiler, and
// this file alone links the HAL into it.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_LOCALDEVICE_H
#define AVILA_COMPILER_TARGETS_SPIRV_LOCALDEVICE_H

#include "compiler/targets/spirv/DeviceProfile.h"

namespace avila::spirv {

/// The limits and capabilities of the Vulkan device `--device vulkan` runs
/// on (the first discrete GPU, else the first device), as a profile whose
/// `device` names it and whose contraction tile is the default one; an
/// error saying why when this machine has no Vulkan device. Asked once per
/// process: every later call returns the first answer.
llvm::Expected<DeviceProfile> localDeviceCapabilities();

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_LOCALDEVICE_H
