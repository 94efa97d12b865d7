//===- TargetFeatures.h - What a Vulkan artifact needs of the device -*- C++
//-*-===//
//
// A Vulkan artifact names the device capabilities its SPIR-V uses; running
// it on a device without one would fail in the driver's pipeline compiler
// at best. Checked when the code is loaded, naming the capability and the
// device.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_TARGETFEATURES_H
#define AVILA_RUNTIME_HAL_VULKAN_TARGETFEATURES_H

#include "runtime/hal/vulkan/PhysicalDevices.h"

#include <span>
#include <string>

namespace avila::vulkan {

/// Throws avila::Error for a feature this runtime does not know (see
/// artifact.fbs for the names) or one `device` lacks.
void requireTargetFeatures(const PhysicalDevice &device,
                           std::span<const std::string> features);

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_TARGETFEATURES_H
