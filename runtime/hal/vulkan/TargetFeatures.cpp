//===- TargetFeatures.cpp - What a Vulkan artifact needs of the device ----===//

#include "runtime/hal/vulkan/TargetFeatures.h"
#include "runtime/base/Error.h"

#include <charconv>
#include <optional>

namespace avila::vulkan {

namespace {

// Whether the device meets a feature and, for numeric ones
// ("subgroupSize=32", "maxComputeSharedMemorySize>=49152"), what it has
// instead, for the message.
struct Requirement {
  bool met;
  std::string has;
};

// The number after `prefix`, if `feature` is `prefix` and a number.
std::optional<uint64_t> numberAfter(std::string_view feature,
                                    std::string_view prefix) {
  if (!feature.starts_with(prefix))
    return std::nullopt;
  const std::string_view digits = feature.substr(prefix.size());
  uint64_t value = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() ||
      end != digits.data() + digits.size())
    return std::nullopt;
  return value;
}

// nullopt for a feature this runtime does not know.
std::optional<Requirement> evaluate(const PhysicalDevice &device,
                                    std::string_view feature) {
  auto flag = [](bool present) { return Requirement{present, ""}; };
  if (feature == "shaderFloat16")
    return flag(device.shaderFloat16);
  if (feature == "storageBuffer16BitAccess")
    return flag(device.storageBuffer16BitAccess);
  if (feature == "shaderInt64")
    return flag(device.shaderInt64);
  if (feature == "subgroupArithmetic")
    return flag(device.subgroupArithmetic);
  if (feature == "subgroupShuffle")
    return flag(device.subgroupShuffle);
  if (feature == "vulkanMemoryModel")
    return flag(device.vulkanMemoryModel);
  if (feature == "cooperativeMatrix")
    return flag(device.cooperativeMatrix);
  if (auto size = numberAfter(feature, "subgroupSize="))
    return Requirement{device.subgroupSize == *size,
                       "subgroup size " + std::to_string(device.subgroupSize)};
  if (auto bytes = numberAfter(feature, "maxComputeSharedMemorySize>="))
    return Requirement{
        device.limits.maxComputeSharedMemorySize >= *bytes,
        std::to_string(device.limits.maxComputeSharedMemorySize) +
            " bytes of shared memory"};
  return std::nullopt;
}

} // namespace

void requireTargetFeatures(const PhysicalDevice &device,
                           std::span<const std::string> features) {
  for (const std::string &feature : features) {
    const std::optional<Requirement> requirement = evaluate(device, feature);
    if (!requirement)
      fail("the artifact needs '" + feature +
           "', which this runtime does not know; update the runtime or "
           "recompile the artifact for this device");
    if (!requirement->met)
      fail("the artifact needs '" + feature + "', which " + device.label() +
           " lacks" +
           (requirement->has.empty() ? ""
                                     : " (it has " + requirement->has + ")") +
           (feature == "cooperativeMatrix"
                ? " (VK_KHR_cooperative_matrix with a 16x16x16 f16*f16+f32 "
                  "shape)"
                : "") +
           "; recompile it for this device's profile");
  }
}

} // namespace avila::vulkan
