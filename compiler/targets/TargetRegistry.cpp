//===- TargetRegistry.cpp - The target backends by name -------------------===//

#include "compiler/targets/TargetRegistry.h"
#include "compiler/targets/spirv/SpirvTarget.h"
#include "compiler/targets/x86/X86Target.h"

namespace avila {

namespace {

llvm::ArrayRef<const TargetBackend *> registeredBackends() {
  static const x86::X86Target x86Target;
  static const spirv::SpirvTarget vulkanTarget;
  static const TargetBackend *const backends[] = {&x86Target, &vulkanTarget};
  return backends;
}

} // namespace

const TargetBackend *targetBackend(llvm::StringRef name) {
  for (const TargetBackend *backend : registeredBackends())
    if (backend->name() == name)
      return backend;
  return nullptr;
}

std::vector<std::string> targetBackendNames() {
  std::vector<std::string> names;
  for (const TargetBackend *backend : registeredBackends())
    names.push_back(backend->name().str());
  return names;
}

} // namespace avila
