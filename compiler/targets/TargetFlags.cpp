//===- TargetFlags.cpp - The command-line flags that configure a target ---===//

#include "compiler/targets/TargetFlags.h"
#include "compiler/targets/TargetRegistry.h"
#include "compiler/targets/spirv/DeviceProfile.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>

namespace avila {

std::string targetNameList() {
  std::string names;
  for (const std::string &name : targetBackendNames())
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

TargetFlags::TargetFlags(std::string defaultTarget)
    : defaultTarget(defaultTarget),
      flags{{"--target", std::move(defaultTarget)},
            {"--precision", "fp32"},
            {"--device-profile", ""}} {}

const std::string &TargetFlags::value(const std::string &name) const {
  return std::find_if(flags.begin(), flags.end(),
                      [&](const Flag &flag) { return flag.name == name; })
      ->value;
}

llvm::Expected<bool> TargetFlags::consume(int argc, char **argv, int &i) {
  auto flag = std::find_if(flags.begin(), flags.end(),
                           [&](const Flag &f) { return f.name == argv[i]; });
  if (flag == flags.end())
    return false;
  if (i + 1 >= argc)
    return llvm::createStringError("missing value for " + flag->name);
  flag->value = argv[++i];
  return true;
}

llvm::Expected<TargetOptions> TargetFlags::options() const {
  TargetOptions options;
  const std::string &precision = value("--precision");
  if (precision == "fp16")
    options.precision = Precision::FP16;
  else if (precision != "fp32")
    return llvm::createStringError("unknown precision '" + precision +
                                   "' (fp32 or fp16)");
  options.deviceProfile = value("--device-profile");
  return options;
}

llvm::Expected<std::unique_ptr<TargetBackend>> TargetFlags::configure() const {
  const TargetBackend *named = targetBackend(target());
  if (!named)
    return llvm::createStringError("unknown target '" + target() +
                                   "' (the targets: " + targetNameList() + ")");
  auto targetOptions = options();
  if (!targetOptions)
    return targetOptions.takeError();
  return named->configured(*targetOptions);
}

std::string TargetFlags::detectedProfile() const {
  if (value("--device-profile") != "auto")
    return "";
  // Asked once per process: this is the profile configure() used.
  auto profile = spirv::deviceProfile("auto");
  if (!profile) {
    llvm::consumeError(profile.takeError());
    return "";
  }
  return "device profile auto: " + profile->device + ": " +
         spirv::describeDeviceProfile(*profile);
}

std::vector<std::string> TargetFlags::words() const {
  std::vector<std::string> words;
  for (const Flag &flag : flags)
    words.insert(words.end(), {flag.name, flag.value});
  return words;
}

std::string TargetFlags::usage() const {
  return "--target is one of: " + targetNameList() + " (default " +
         defaultTarget +
         ").\n"
         "--precision fp16 keeps weights and activations as f16 in memory and\n"
         "computes in f32 (vulkan only; default fp32).\n"
         "--device-profile names the class of Vulkan devices the kernels are\n"
         "for: " +
         llvm::join(spirv::deviceProfileNames(), ", ") +
         " (default generic, or\n"
         "generic-fp16 with --precision fp16); nvidia-h100 multiplies fp16\n"
         "contractions with cooperative matrices; auto reads the limits of\n"
         "this machine's Vulkan device (the one --device vulkan runs on). A\n"
         ".json file names a profile as its base and changes its limits or\n"
         "its contraction tile (docs/device-profiles.md).\n";
}

} // namespace avila
