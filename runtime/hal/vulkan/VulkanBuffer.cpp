//===- VulkanBuffer.cpp - Device memory behind a VkBuffer -----------------===//

#include "runtime/hal/vulkan/VulkanBuffer.h"
#include "runtime/base/Error.h"
#include "runtime/hal/vulkan/VulkanDevice.h"

#include <algorithm>
#include <cstring>

namespace avila::vulkan {

namespace {

// Staged transfers go in pieces of this size, so that a 3 GiB upload does
// not need 3 GiB of host-visible memory at once.
constexpr int64_t kStagingBytes = int64_t(64) << 20;

int64_t mebibytes(uint64_t bytes) {
  return static_cast<int64_t>((bytes + (uint64_t(1) << 20) - 1) >> 20);
}

// The memory types to try for `placement`, best first.
std::vector<VkMemoryPropertyFlags> preferences(Placement placement) {
  constexpr VkMemoryPropertyFlags local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT,
                                  host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                         VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  switch (placement) {
  case Placement::Device:
    return {local | host, local, 0};
  case Placement::DeviceUnmapped:
    return {local, 0};
  case Placement::Host:
    return {host};
  }
  return {};
}

} // namespace

VulkanBuffer::VulkanBuffer(VulkanDevice &device, int64_t bytes,
                           std::string label, Placement placement)
    : hal::Buffer(bytes, std::move(label)), device(device) {
  const VulkanApi &api = device.api();
  const PhysicalDevice &properties = device.properties();
  const std::string outOfMemory =
      this->label() + ": cannot allocate " + std::to_string(mebibytes(bytes)) +
      " MiB on " + device.name() + " (it has " +
      std::to_string(mebibytes(properties.deviceMemory)) +
      " MiB of device memory)";
  if (static_cast<uint64_t>(bytes) > properties.deviceMemory)
    fail(outOfMemory);
  if (static_cast<uint64_t>(bytes) > properties.maxAllocation)
    fail(this->label() + ": cannot allocate " +
         std::to_string(mebibytes(bytes)) + " MiB on " + device.name() +
         " in one piece (its limit is " +
         std::to_string(mebibytes(properties.maxAllocation)) +
         " MiB per allocation)");
  VkBufferCreateInfo info =
      vkStruct<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  info.size = std::max<VkDeviceSize>(4, (bytes + 3) / 4 * 4);
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
               VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
               VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  const VkResult created =
      api.vkCreateBuffer(device.handle(), &info, nullptr, &buffer);
  if (created == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
      created == VK_ERROR_OUT_OF_HOST_MEMORY)
    fail(outOfMemory);
  check(created, (this->label() + ": cannot create a buffer").c_str());
  try {
    VkMemoryRequirements requirements;
    api.vkGetBufferMemoryRequirements(device.handle(), buffer, &requirements);
    VkPhysicalDeviceMemoryProperties memoryTypes;
    api.vkGetPhysicalDeviceMemoryProperties(properties.handle, &memoryTypes);
    VkResult allocated = VK_ERROR_OUT_OF_DEVICE_MEMORY;
    VkMemoryPropertyFlags chosen = 0;
    for (VkMemoryPropertyFlags wanted : preferences(placement)) {
      for (uint32_t type = 0;
           type < memoryTypes.memoryTypeCount && allocated != VK_SUCCESS;
           ++type) {
        const VkMemoryPropertyFlags flags =
            memoryTypes.memoryTypes[type].propertyFlags;
        if (!(requirements.memoryTypeBits & (1u << type)) ||
            (flags & wanted) != wanted)
          continue;
        VkMemoryAllocateInfo allocation = vkStruct<VkMemoryAllocateInfo>(
            VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
        allocation.allocationSize = requirements.size;
        allocation.memoryTypeIndex = type;
        allocated = api.vkAllocateMemory(device.handle(), &allocation, nullptr,
                                         &memory);
        chosen = flags;
      }
      if (allocated == VK_SUCCESS)
        break;
    }
    if (allocated == VK_ERROR_OUT_OF_DEVICE_MEMORY ||
        allocated == VK_ERROR_OUT_OF_HOST_MEMORY)
      fail(outOfMemory);
    check(allocated, (this->label() + ": cannot allocate memory").c_str());
    check(api.vkBindBufferMemory(device.handle(), buffer, memory, 0),
          (this->label() + ": cannot bind its memory").c_str());
    if (placement != Placement::DeviceUnmapped &&
        (chosen & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
      void *address = nullptr;
      check(api.vkMapMemory(device.handle(), memory, 0, VK_WHOLE_SIZE, 0,
                            &address),
            (this->label() + ": cannot map its memory").c_str());
      mapped = static_cast<std::byte *>(address);
    }
  } catch (...) {
    release();
    throw;
  }
}

VulkanBuffer::~VulkanBuffer() { release(); }

void VulkanBuffer::release() {
  if (device.abandonedWork())
    return;
  const VulkanApi &api = device.api();
  // Freeing the memory unmaps it.
  if (memory)
    api.vkFreeMemory(device.handle(), memory, nullptr);
  if (buffer)
    api.vkDestroyBuffer(device.handle(), buffer, nullptr);
  memory = VK_NULL_HANDLE;
  buffer = VK_NULL_HANDLE;
}

void VulkanBuffer::write(int64_t offset, std::span<const std::byte> data) {
  transfer(offset, static_cast<int64_t>(data.size()), Direction::ToDevice,
           [&](std::byte *memory, int64_t done, int64_t piece) {
             std::memcpy(memory, data.data() + done, piece);
           });
}

void VulkanBuffer::read(int64_t offset, std::span<std::byte> data) const {
  transfer(offset, static_cast<int64_t>(data.size()), Direction::ToHost,
           [&](std::byte *memory, int64_t done, int64_t piece) {
             std::memcpy(data.data() + done, memory, piece);
           });
}

void VulkanBuffer::transfer(int64_t offset, int64_t bytes, Direction direction,
                            const HostCopy &hostCopy) const {
  if (bytes == 0)
    return;
  if (mapped) {
    hostCopy(mapped + offset, 0, bytes);
    return;
  }
  VulkanBuffer staging(device, std::min(bytes, kStagingBytes),
                       label() + " (staging)", Placement::Host);
  for (int64_t done = 0; done < bytes; done += kStagingBytes) {
    const int64_t piece = std::min(bytes - done, kStagingBytes);
    if (direction == Direction::ToDevice) {
      hostCopy(staging.mapped, done, piece);
      copy(staging.buffer, 0, buffer, offset + done, piece);
    } else {
      copy(buffer, offset + done, staging.buffer, 0, piece);
      hostCopy(staging.mapped, done, piece);
    }
  }
}

void VulkanBuffer::copy(VkBuffer source, int64_t sourceOffset, VkBuffer target,
                        int64_t targetOffset, int64_t bytes) const {
  const VulkanApi &api = device.api();
  device.runOnce([&](VkCommandBuffer commands) {
    // Earlier submissions' kernels may have written the source or still
    // read the target; later ones and the host read what the copy wrote.
    VkMemoryBarrier before =
        vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    before.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    before.dstAccessMask =
        VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    api.vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                             VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0,
                             nullptr, 0, nullptr);
    VkBufferCopy region{static_cast<VkDeviceSize>(sourceOffset),
                        static_cast<VkDeviceSize>(targetOffset),
                        static_cast<VkDeviceSize>(bytes)};
    api.vkCmdCopyBuffer(commands, source, target, 1, &region);
    VkMemoryBarrier after =
        vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
    after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
    after.dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT |
                          VK_ACCESS_SHADER_WRITE_BIT;
    api.vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                             VK_PIPELINE_STAGE_HOST_BIT |
                                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                             0, 1, &after, 0, nullptr, 0, nullptr);
  });
}

} // namespace avila::vulkan
