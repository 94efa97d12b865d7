//===- CpuDevice.cpp - The host CPU as a device ---------------------------===//

#include "runtime/hal/cpu/CpuDevice.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/CpuBuffer.h"
#include "runtime/hal/cpu/CpuCommandBuffer.h"
#include "runtime/hal/cpu/CpuKernelLibrary.h"

#include <malloc.h>

namespace avila::cpu {

namespace {

// Kernels take their temporaries (a padded convolution input, 270 MB in
// the VAE decoder at 512×512) from malloc. glibc serves blocks that large
// with mmap and unmaps them when freed, so every run pays a page fault and
// the kernel's zeroing for every page again (0.6 s of that convolution's
// 1.3 s). With higher thresholds freed blocks stay in the heap and the
// next run reuses them, as it reuses the arena.
void keepLargeAllocations() {
  static const bool once = [] {
    constexpr int kThreshold = 1 << 30;
    mallopt(M_MMAP_THRESHOLD, kThreshold);
    mallopt(M_TRIM_THRESHOLD, kThreshold);
    return true;
  }();
  (void)once;
}

} // namespace

CpuDevice::CpuDevice(unsigned threads) : pool(threads) {
  keepLargeAllocations();
}

std::unique_ptr<hal::Buffer> CpuDevice::allocateMemory(int64_t bytes,
                                                       std::string label) {
  return std::make_unique<CpuBuffer>(bytes, std::move(label));
}

std::unique_ptr<hal::KernelLibrary>
CpuDevice::loadCode(const Artifact &artifact) {
  return std::make_unique<CpuKernelLibrary>(artifact, pool);
}

std::unique_ptr<hal::CommandBuffer> CpuDevice::createCommandBuffer() {
  return std::make_unique<CpuCommandBuffer>();
}

void CpuDevice::submitAndWait(hal::CommandBuffer &commands,
                              std::vector<double> *dispatchSeconds) {
  const auto *recorded = dynamic_cast<const CpuCommandBuffer *>(&commands);
  if (!recorded)
    fail("the cpu device cannot run a command buffer of another device");
  recorded->run(dispatchSeconds);
}

} // namespace avila::cpu
