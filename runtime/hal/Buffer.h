//===- Buffer.h - Device memory of a known size ------------------*- C++
//-*-===//
//
// A block of a device's memory that kernels read and write through
// bindings. The host reaches it by upload and download, or directly through
// its mapping where the device lets the host address it (always on the CPU;
// a host-visible VkDeviceMemory on Vulkan). Every range is checked against
// the size here, whatever the device.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_BUFFER_H
#define AVILA_RUNTIME_HAL_BUFFER_H

#include "runtime/hal/MemoryUse.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace avila::hal {

/// Whether bytes [offset, offset + length) lie within [0, size), computed
/// without overflow for any values.
bool rangeFits(int64_t offset, int64_t length, int64_t size);

class Buffer {
public:
  virtual ~Buffer();
  Buffer(const Buffer &) = delete;
  Buffer &operator=(const Buffer &) = delete;

  int64_t size() const { return byteSize; }
  /// What the buffer holds, for messages ("the activation arena").
  const std::string &label() const { return name; }

  /// The contents at a host address, or nullptr where the device keeps the
  /// buffer out of the host's reach.
  virtual std::byte *mapping() = 0;

  /// Copies `data` into the buffer at byte `offset`, or `size()` bytes from
  /// `offset` into `data`. Throws avila::Error naming the buffer when the
  /// range does not lie within it.
  void upload(int64_t offset, std::span<const std::byte> data);
  void download(int64_t offset, std::span<std::byte> data) const;

  /// Lets `writeAll` write every byte: in place where the buffer is mapped,
  /// else into host memory that is then uploaded (weights go straight from
  /// the checkpoint into the buffer whenever they can).
  void fill(const std::function<void(std::span<std::byte>)> &writeAll);

protected:
  Buffer(int64_t size, std::string label);

  /// upload and download after their range checks.
  virtual void write(int64_t offset, std::span<const std::byte> data) = 0;
  virtual void read(int64_t offset, std::span<std::byte> data) const = 0;

private:
  friend class Device;
  void checkRange(const char *what, int64_t offset, size_t length) const;

  int64_t byteSize;
  std::string name;
  // The device's count this buffer is in until it is destroyed (set by
  // Device::allocate).
  MemoryUse *countedIn = nullptr;
};

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_BUFFER_H
