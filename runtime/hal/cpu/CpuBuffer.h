//===- CpuBuffer.h - The CPU device's buffers: host memory -------*- C++
//-*-===//
//
// Host memory aligned to a cache line, always mapped: kernels, uploads and
// the weight reader all address it directly.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_CPUBUFFER_H
#define AVILA_RUNTIME_HAL_CPU_CPUBUFFER_H

#include "runtime/hal/Buffer.h"

#include <cstdlib>
#include <memory>

namespace avila::cpu {

class CpuBuffer final : public hal::Buffer {
public:
  /// Throws avila::Error naming `label` and the size when the memory cannot
  /// be had.
  CpuBuffer(int64_t bytes, std::string label);

  std::byte *mapping() override { return memory.get(); }

private:
  void write(int64_t offset, std::span<const std::byte> data) override;
  void read(int64_t offset, std::span<std::byte> data) const override;

  struct AlignedFree {
    void operator()(std::byte *p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, AlignedFree> memory;
};

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_CPUBUFFER_H
