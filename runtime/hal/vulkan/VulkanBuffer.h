//===- VulkanBuffer.h - Device memory behind a VkBuffer ----------*- C++
//-*-===//
//
// A storage buffer in the device's memory. Where device-local memory is
// also host-visible (lavapipe, resizable BAR) it stays mapped and the host
// writes it in place; otherwise uploads and downloads go through a
// host-visible staging buffer and a copy on the device's queue.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANBUFFER_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANBUFFER_H

#include "runtime/hal/Buffer.h"
#include "runtime/hal/vulkan/VulkanApi.h"

#include <functional>

namespace avila::vulkan {

class VulkanDevice;

/// Where a buffer's memory lives.
enum class Placement {
  /// Device-local, mapped when the device lets the host see it.
  Device,
  /// Device-local and never mapped, as on a discrete GPU without a
  /// host-visible window: uploads and downloads are staged.
  DeviceUnmapped,
  /// Host-visible and mapped: staging.
  Host,
};

class VulkanBuffer final : public hal::Buffer {
public:
  /// Throws avila::Error "<label>: cannot allocate N MiB on <device> (it
  /// has M MiB of device memory)" when the memory cannot be had. 0 bytes
  /// get a 4-byte buffer, since Vulkan has no empty one.
  VulkanBuffer(VulkanDevice &device, int64_t bytes, std::string label,
               Placement placement = Placement::Device);
  ~VulkanBuffer() override;

  std::byte *mapping() override { return mapped; }
  VkBuffer handle() const { return buffer; }

private:
  void write(int64_t offset, std::span<const std::byte> data) override;
  void read(int64_t offset, std::span<std::byte> data) const override;
  enum class Direction { ToDevice, ToHost };
  /// Copies `piece` bytes between host-visible memory at `memory`, holding
  /// bytes [offset + done, offset + done + piece) of the buffer, and the
  /// caller's host data at `done`.
  using HostCopy =
      std::function<void(std::byte *memory, int64_t done, int64_t piece)>;
  /// Moves bytes [offset, offset + bytes) of the buffer to or from the host:
  /// in place where it is mapped, else through a host-visible staging buffer
  /// a piece at a time, `hostCopy` doing the host side of each piece.
  void transfer(int64_t offset, int64_t bytes, Direction direction,
                const HostCopy &hostCopy) const;
  /// Copies `bytes` from `source` at `sourceOffset` to `target` at
  /// `targetOffset` on the device's queue.
  void copy(VkBuffer source, int64_t sourceOffset, VkBuffer target,
            int64_t targetOffset, int64_t bytes) const;
  void release();

  VulkanDevice &device;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  std::byte *mapped = nullptr;
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANBUFFER_H
