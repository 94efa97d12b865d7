//===- KernelLibrary.cpp - An artifact's kernels, loaded on a device ------===//

#include "runtime/hal/KernelLibrary.h"
#include "runtime/base/Error.h"

namespace avila::hal {

KernelLibrary::KernelLibrary(const Artifact &artifact) {
  if (const auto *kernels = artifact.root().kernels())
    for (const artifact::Kernel *kernel : *kernels) {
      KernelSignature signature;
      signature.name = kernel->name()->str();
      signature.entryPoint = kernel->entry_point()->str();
      for (size_t axis = 0; axis < signature.workgroupSize.size(); ++axis)
        signature.workgroupSize[axis] = kernel->workgroup_size()->Get(axis);
      signature.bindings.assign(kernel->bindings()->begin(),
                                kernel->bindings()->end());
      signature.inputBindings = kernel->input_bindings();
      if (kernel->push_constants())
        for (const artifact::PushConstant *constant : *kernel->push_constants())
          signature.pushConstants.push_back(*constant);
      signatures.push_back(std::move(signature));
    }
}

KernelLibrary::~KernelLibrary() = default;

const KernelSignature &KernelLibrary::signature(uint32_t index) const {
  if (index >= signatures.size())
    fail("kernel " + std::to_string(index) +
         " does not exist: the library has " +
         std::to_string(signatures.size()));
  return signatures[index];
}

std::optional<uint32_t> KernelLibrary::find(std::string_view name) const {
  for (uint32_t i = 0; i < signatures.size(); ++i)
    if (signatures[i].name == name)
      return i;
  return std::nullopt;
}

} // namespace avila::hal
