//===- KernelCode.cpp - A kernel's own SPIR-V module in an artifact -------===//

#include "tools/avila-inspect/KernelCode.h"
#include "runtime/base/Error.h"

#include <fstream>

namespace avila::inspect {

const artifact::Kernel &findKernel(const artifact::Artifact &root,
                                   const std::string &name) {
  if (root.kernels())
    for (const artifact::Kernel *kernel : *root.kernels())
      if (kernel->name()->str() == name)
        return *kernel;
  fail("the artifact has no kernel named '" + name +
       "' (avila-inspect --kernels lists them)");
}

void requireSpirvModules(const artifact::Artifact &root) {
  if (root.target() != artifact::Target::Vulkan)
    fail(
        std::string("the artifact's target is ") + targetName(root.target()) +
        ", whose code is one " +
        (root.target() == artifact::Target::X86 ? "shared object" : "library") +
        " for all kernels: only Vulkan artifacts hold a SPIR-V module per "
        "kernel");
}

std::span<const uint8_t> spirvModule(const artifact::Artifact &root,
                                     const artifact::Kernel &kernel) {
  requireSpirvModules(root);
  const uint64_t size = root.code() ? root.code()->size() : 0;
  if (kernel.code_size() == 0 || kernel.code_offset() > size ||
      kernel.code_size() > size - kernel.code_offset())
    fail("kernel '" + kernel.name()->str() + "': its code range [" +
         std::to_string(kernel.code_offset()) + ", +" +
         std::to_string(kernel.code_size()) + ") is not within the " +
         std::to_string(size) + " bytes of code");
  return {root.code()->data() + kernel.code_offset(), kernel.code_size()};
}

void writeBytes(const std::string &path, std::span<const uint8_t> bytes) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file.write(reinterpret_cast<const char *>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  file.close();
  if (!file)
    fail("cannot write '" + path + "'");
}

} // namespace avila::inspect
