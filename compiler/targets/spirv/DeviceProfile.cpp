//===- DeviceProfile.cpp - The device profiles known by name --------------===//

#include "compiler/targets/spirv/DeviceProfile.h"

#include "llvm/ADT/StringExtras.h"

namespace avila::spirv {

namespace {

// `generic` asks only what today's tiles need of any Vulkan 1.3 desktop
// device; the others are the devices the kernels are measured on, with the
// limits their drivers report.
const DeviceProfile kProfiles[] = {
    {"generic", 0, 32 * 1024, 1024, uint64_t{128} << 20, false, false},
    {"generic-fp16", 0, 32 * 1024, 1024, uint64_t{128} << 20, true, false},
    {"lavapipe", 8, 32 * 1024, 1024, uint64_t{128} << 20, true, false},
    {"nvidia-h100", 32, 48 * 1024, 1024, (uint64_t{1} << 32) - 1, true, true},
};

} // namespace

std::vector<std::string> deviceProfileNames() {
  std::vector<std::string> names;
  for (const DeviceProfile &profile : kProfiles)
    names.push_back(profile.name);
  return names;
}

llvm::Expected<DeviceProfile> deviceProfile(llvm::StringRef name) {
  for (const DeviceProfile &profile : kProfiles)
    if (profile.name == name)
      return profile;
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "unknown device profile '" + name +
          "' (the profiles: " + llvm::join(deviceProfileNames(), ", ") + ")");
}

} // namespace avila::spirv
