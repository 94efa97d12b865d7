//===- TargetFlags.cpp - The command-line flags that configure a target ---===//

#include "compiler/targets/TargetFlags.h"
#include "compiler/targets/TargetRegistry.h"

namespace avila {

std::string targetNameList() {
  std::string names;
  for (const std::string &name : targetBackendNames())
    names += (names.empty() ? "" : ", ") + name;
  return names;
}

llvm::Expected<bool> TargetFlags::consume(int argc, char **argv, int &i) {
  const std::string flag = argv[i];
  std::string *value = flag == "--target"      ? &targetName
                       : flag == "--precision" ? &precision
                                               : nullptr;
  if (!value)
    return false;
  if (i + 1 >= argc)
    return llvm::createStringError("missing value for " + flag);
  *value = argv[++i];
  taken.insert(taken.end(), {flag, *value});
  return true;
}

llvm::Expected<TargetOptions> TargetFlags::options() const {
  TargetOptions options;
  if (precision == "fp16")
    options.precision = Precision::FP16;
  else if (precision != "fp32")
    return llvm::createStringError("unknown precision '" + precision +
                                   "' (fp32 or fp16)");
  return options;
}

llvm::Expected<std::unique_ptr<TargetBackend>> TargetFlags::configure() const {
  const TargetBackend *named = targetBackend(targetName);
  if (!named)
    return llvm::createStringError("unknown target '" + targetName +
                                   "' (the targets: " + targetNameList() + ")");
  auto targetOptions = options();
  if (!targetOptions)
    return targetOptions.takeError();
  return named->configured(*targetOptions);
}

std::string TargetFlags::usage() const {
  return "--target is one of: " + targetNameList() + " (default " +
         defaultTarget +
         ").\n"
         "--precision fp16 keeps weights and activations as f16 in memory and\n"
         "computes in f32 (vulkan only; default fp32).\n";
}

} // namespace avila
