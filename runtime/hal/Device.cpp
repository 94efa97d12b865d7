//===- Device.cpp - Where an artifact's kernels run -----------------------===//

#include "runtime/hal/Device.h"
#include "runtime/base/Error.h"

#include <cstdio>

namespace avila::hal {

Device::~Device() = default;

std::unique_ptr<Buffer> Device::allocate(int64_t bytes, std::string label) {
  if (bytes < 0)
    fail("cannot allocate " + label + " of " + std::to_string(bytes) +
         " bytes");
  std::unique_ptr<Buffer> buffer = allocateMemory(bytes, std::move(label));
  buffer->countedIn = &use;
  use.allocated(bytes);
  return buffer;
}

std::string Device::peakMemoryReport() const {
  char megabytes[32];
  std::snprintf(megabytes, sizeof(megabytes), "%.1f",
                static_cast<double>(use.peak()) / (1 << 20));
  return "peak device memory: " + std::string(megabytes) + " MiB on " + name();
}

std::unique_ptr<KernelLibrary>
Device::loadKernelLibrary(const Artifact &artifact) {
  const artifact::Artifact &root = artifact.root();
  if (root.target() != target())
    fail("the " + name() + " device runs " + targetName(target()) +
         " artifacts, not " + targetName(root.target()));
  if (!root.code())
    fail("the artifact has no code");
  return loadCode(artifact);
}

} // namespace avila::hal
