//===- VulkanCommandBuffer.cpp - Dispatches recorded for a Vulkan queue ---===//

#include "runtime/hal/vulkan/VulkanCommandBuffer.h"
#include "runtime/base/Error.h"
#include "runtime/hal/vulkan/CommandPool.h"
#include "runtime/hal/vulkan/VulkanBuffer.h"
#include "runtime/hal/vulkan/VulkanDevice.h"
#include "runtime/hal/vulkan/VulkanKernelLibrary.h"

#include <cstring>

namespace avila::vulkan {

namespace {

void memoryBarrier(const VulkanApi &api, VkCommandBuffer commands,
                   VkPipelineStageFlags sourceStages, VkAccessFlags source,
                   VkPipelineStageFlags targetStages, VkAccessFlags target) {
  VkMemoryBarrier barrier =
      vkStruct<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  barrier.srcAccessMask = source;
  barrier.dstAccessMask = target;
  api.vkCmdPipelineBarrier(commands, sourceStages, targetStages, 0, 1, &barrier,
                           0, nullptr, 0, nullptr);
}

// The push-constant block of a dispatch: each int64 the HAL got, stored as
// the integer type the kernel declares at its offset.
std::vector<uint8_t> pushConstantBlock(const hal::KernelSignature &signature,
                                       uint32_t bytes,
                                       std::span<const int64_t> values) {
  std::vector<uint8_t> block(bytes);
  for (size_t i = 0; i < values.size(); ++i) {
    const artifact::PushConstant &constant = signature.pushConstants[i];
    uint8_t *at = block.data() + constant.offset();
    if (constant.type() == artifact::ElementType::I64) {
      std::memcpy(at, &values[i], sizeof(int64_t));
      continue;
    }
    if (values[i] < INT32_MIN || values[i] > INT32_MAX)
      fail("dispatch of kernel '" + signature.name + "': push constant " +
           std::to_string(i) + " = " + std::to_string(values[i]) +
           " does not fit the kernel's I32");
    const auto value = static_cast<int32_t>(values[i]);
    std::memcpy(at, &value, sizeof(value));
  }
  return block;
}

} // namespace

VulkanCommandBuffer::VulkanCommandBuffer(VulkanDevice &device)
    : device(device) {
  VkCommandPoolCreateInfo info = vkStruct<VkCommandPoolCreateInfo>(
      VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  info.queueFamilyIndex = device.queueFamily();
  check(
      device.api().vkCreateCommandPool(device.handle(), &info, nullptr, &pool),
      "cannot create a command pool");
}

VulkanCommandBuffer::~VulkanCommandBuffer() {
  if (device.abandonedWork())
    return;
  const VulkanApi &api = device.api();
  // Destroying the pools frees their command buffers and descriptor sets.
  api.vkDestroyCommandPool(device.handle(), pool, nullptr);
  api.vkDestroyDescriptorPool(device.handle(), descriptorPool, nullptr);
  api.vkDestroyQueryPool(device.handle(), queries, nullptr);
}

void VulkanCommandBuffer::barrier() { barrierPending = true; }

void VulkanCommandBuffer::record(const hal::KernelLibrary &library,
                                 uint32_t kernel,
                                 std::span<const hal::BufferBinding> bindings,
                                 std::span<const int64_t> constants,
                                 const hal::WorkgroupCount &workgroups) {
  const hal::KernelSignature &signature = library.signature(kernel);
  const std::string at = "dispatch of kernel '" + signature.name + "'";
  const auto *native = dynamic_cast<const VulkanKernelLibrary *>(&library);
  if (!native || &native->owner() != &device)
    fail(at + ": its kernel library was loaded on another device");
  if (built[0] || built[1])
    fail(at + ": the command buffer was submitted already; record a new one");
  const VkPhysicalDeviceLimits &limits = device.properties().limits;
  const VulkanKernelLibrary::Pipeline &pipeline = native->pipeline(kernel);
  Dispatch dispatch{
      pipeline.pipeline,
      pipeline.layout,
      pipeline.setLayout,
      VK_NULL_HANDLE,
      {},
      pushConstantBlock(signature, pipeline.pushConstantBytes, constants),
      workgroups,
      barrierPending};
  for (size_t i = 0; i < bindings.size(); ++i) {
    const hal::BufferBinding &binding = bindings[i];
    const auto *buffer = dynamic_cast<const VulkanBuffer *>(binding.buffer);
    const std::string which = at + ": binding " + std::to_string(i) + " (" +
                              binding.buffer->label() + ", " +
                              std::to_string(binding.length) + " bytes)";
    if (!buffer)
      fail(which + " is a buffer of another device");
    if (binding.length > limits.maxStorageBufferRange)
      fail(which + " is longer than " + device.name() +
           " binds at once (maxStorageBufferRange: " +
           std::to_string(limits.maxStorageBufferRange) + " bytes)");
    if (binding.offset % limits.minStorageBufferOffsetAlignment != 0)
      fail(which + " starts at offset " + std::to_string(binding.offset) +
           ", not a multiple of " + device.name() +
           "'s minStorageBufferOffsetAlignment (" +
           std::to_string(limits.minStorageBufferOffsetAlignment) + ")");
    // An empty range binds the buffer's first word (every VkBuffer has
    // one), since Vulkan has no empty binding.
    dispatch.buffers.push_back(
        binding.length == 0
            ? VkDescriptorBufferInfo{buffer->handle(), 0, 4}
            : VkDescriptorBufferInfo{
                  buffer->handle(), static_cast<VkDeviceSize>(binding.offset),
                  static_cast<VkDeviceSize>(binding.length)});
  }
  dispatches.push_back(std::move(dispatch));
  barrierPending = false;
}

void VulkanCommandBuffer::writeDescriptorSets() {
  const VulkanApi &api = device.api();
  uint32_t descriptors = 0;
  for (const Dispatch &dispatch : dispatches)
    descriptors += static_cast<uint32_t>(dispatch.buffers.size());
  VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                            std::max<uint32_t>(descriptors, 1)};
  VkDescriptorPoolCreateInfo poolInfo = vkStruct<VkDescriptorPoolCreateInfo>(
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  poolInfo.maxSets = static_cast<uint32_t>(dispatches.size());
  poolInfo.poolSizeCount = 1;
  poolInfo.pPoolSizes = &size;
  check(api.vkCreateDescriptorPool(device.handle(), &poolInfo, nullptr,
                                   &descriptorPool),
        "cannot create a descriptor pool");
  std::vector<VkWriteDescriptorSet> writes;
  for (Dispatch &dispatch : dispatches) {
    VkDescriptorSetAllocateInfo allocateInfo =
        vkStruct<VkDescriptorSetAllocateInfo>(
            VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
    allocateInfo.descriptorPool = descriptorPool;
    allocateInfo.descriptorSetCount = 1;
    allocateInfo.pSetLayouts = &dispatch.setLayout;
    check(api.vkAllocateDescriptorSets(device.handle(), &allocateInfo,
                                       &dispatch.set),
          "cannot allocate a descriptor set");
    for (uint32_t i = 0; i < dispatch.buffers.size(); ++i) {
      VkWriteDescriptorSet write = vkStruct<VkWriteDescriptorSet>(
          VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
      write.dstSet = dispatch.set;
      write.dstBinding = i;
      write.descriptorCount = 1;
      write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      write.pBufferInfo = &dispatch.buffers[i];
      writes.push_back(write);
    }
  }
  api.vkUpdateDescriptorSets(device.handle(),
                             static_cast<uint32_t>(writes.size()),
                             writes.data(), 0, nullptr);
}

VkCommandBuffer VulkanCommandBuffer::build(bool timed) {
  const VulkanApi &api = device.api();
  if (!descriptorPool && !dispatches.empty())
    writeDescriptorSets();
  const auto timestamps = static_cast<uint32_t>(2 * dispatches.size());
  if (timed && !queries && timestamps) {
    VkQueryPoolCreateInfo queryInfo = vkStruct<VkQueryPoolCreateInfo>(
        VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
    queryInfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
    queryInfo.queryCount = timestamps;
    check(api.vkCreateQueryPool(device.handle(), &queryInfo, nullptr, &queries),
          "cannot create a timestamp query pool");
  }
  // Not one-time: submit() reuses what it built for later submissions.
  const VkCommandBuffer commands =
      beginCommandBuffer(api, device.handle(), pool, 0);
  if (timed && timestamps)
    api.vkCmdResetQueryPool(commands, queries, 0, timestamps);
  // Staging copies of earlier submissions wrote inputs and weights.
  memoryBarrier(api, commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_TRANSFER_WRITE_BIT,
                VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
  for (uint32_t i = 0; i < dispatches.size(); ++i) {
    const Dispatch &dispatch = dispatches[i];
    if (dispatch.afterBarrier)
      memoryBarrier(api, commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    VK_ACCESS_SHADER_WRITE_BIT,
                    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
    api.vkCmdBindPipeline(commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                          dispatch.pipeline);
    api.vkCmdBindDescriptorSets(commands, VK_PIPELINE_BIND_POINT_COMPUTE,
                                dispatch.layout, 0, 1, &dispatch.set, 0,
                                nullptr);
    if (!dispatch.pushConstants.empty())
      api.vkCmdPushConstants(
          commands, dispatch.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
          static_cast<uint32_t>(dispatch.pushConstants.size()),
          dispatch.pushConstants.data());
    if (timed)
      api.vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                              queries, 2 * i);
    api.vkCmdDispatch(commands, static_cast<uint32_t>(dispatch.workgroups[0]),
                      static_cast<uint32_t>(dispatch.workgroups[1]),
                      static_cast<uint32_t>(dispatch.workgroups[2]));
    if (timed)
      api.vkCmdWriteTimestamp(commands, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
                              queries, 2 * i + 1);
  }
  // The host and staging copies read the results after the fence.
  memoryBarrier(api, commands, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                VK_ACCESS_SHADER_WRITE_BIT,
                VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT);
  check(api.vkEndCommandBuffer(commands), "cannot record a command buffer");
  return commands;
}

void VulkanCommandBuffer::submit(std::vector<double> *dispatchSeconds) {
  const bool timed = dispatchSeconds != nullptr;
  const VkPhysicalDeviceLimits &limits = device.properties().limits;
  if (timed &&
      (!limits.timestampComputeAndGraphics || limits.timestampPeriod <= 0))
    fail(device.name() + " cannot time dispatches (it has no timestamps on "
                         "its compute queue)");
  VkCommandBuffer &commands = built[timed];
  if (!commands)
    commands = build(timed);
  device.submit(commands);
  if (!timed || dispatches.empty())
    return;
  std::vector<uint64_t> ticks(2 * dispatches.size());
  check(device.api().vkGetQueryPoolResults(
            device.handle(), queries, 0, static_cast<uint32_t>(ticks.size()),
            ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
            VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
        "cannot read the dispatch timestamps");
  for (size_t i = 0; i < dispatches.size(); ++i)
    dispatchSeconds->push_back(
        static_cast<double>(ticks[2 * i + 1] - ticks[2 * i]) *
        limits.timestampPeriod * 1e-9);
}

} // namespace avila::vulkan
