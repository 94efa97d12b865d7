//===- CpuBuffer.cpp - The CPU device's buffers: host memory --------------===//

#include "runtime/hal/cpu/CpuBuffer.h"
#include "runtime/base/Error.h"

#include <cstring>

namespace avila::cpu {

namespace {

constexpr int64_t kAlignment = 64;

} // namespace

CpuBuffer::CpuBuffer(int64_t bytes, std::string label)
    : hal::Buffer(bytes, std::move(label)) {
  // aligned_alloc wants a multiple of the alignment, and may return nullptr
  // for 0 bytes.
  if (bytes <= INT64_MAX - kAlignment) {
    const int64_t rounded =
        std::max<int64_t>(1, (bytes + kAlignment - 1) / kAlignment) *
        kAlignment;
    memory.reset(static_cast<std::byte *>(
        std::aligned_alloc(kAlignment, static_cast<size_t>(rounded))));
  }
  if (!memory)
    fail("cannot allocate " + this->label() + " (" + std::to_string(bytes) +
         " bytes) in host memory");
}

void CpuBuffer::write(int64_t offset, std::span<const std::byte> data) {
  if (!data.empty())
    std::memcpy(memory.get() + offset, data.data(), data.size());
}

void CpuBuffer::read(int64_t offset, std::span<std::byte> data) const {
  if (!data.empty())
    std::memcpy(data.data(), memory.get() + offset, data.size());
}

} // namespace avila::cpu
