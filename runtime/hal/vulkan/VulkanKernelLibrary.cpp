//===- VulkanKernelLibrary.cpp - A Vulkan artifact's pipelines ------------===//

#include "runtime/hal/vulkan/VulkanKernelLibrary.h"
#include "runtime/base/Error.h"
#include "runtime/hal/vulkan/SpirvModule.h"
#include "runtime/hal/vulkan/VulkanDevice.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace avila::vulkan {

namespace {

// The device passes each int64 the HAL gets as the 32- or 64-bit integer
// the kernel declares; floats have no int64 form to come from.
uint32_t pushConstantBytes(const hal::KernelSignature &signature,
                           const VulkanDevice &device) {
  uint32_t end = 0;
  for (size_t i = 0; i < signature.pushConstants.size(); ++i) {
    const artifact::PushConstant &constant = signature.pushConstants[i];
    if (constant.type() != artifact::ElementType::I32 &&
        constant.type() != artifact::ElementType::I64)
      fail("kernel '" + signature.name + "' takes push constant " +
           std::to_string(i) + " as " +
           artifact::EnumNameElementType(constant.type()) +
           ": the vulkan device passes I32 or I64");
    if (constant.type() == artifact::ElementType::I64 &&
        !device.properties().shaderInt64)
      fail("kernel '" + signature.name + "' takes push constant " +
           std::to_string(i) + " as I64, but " + device.name() +
           " lacks shaderInt64");
    end = std::max<uint32_t>(
        end, constant.offset() +
                 static_cast<uint32_t>(elementSize(constant.type())));
  }
  const uint32_t limit = device.properties().limits.maxPushConstantsSize;
  if (end > limit)
    fail("kernel '" + signature.name + "' takes " + std::to_string(end) +
         " bytes of push constants; " + device.name() + " takes at most " +
         std::to_string(limit));
  return end;
}

// A workgroup larger than the device runs is undefined behaviour in the
// driver; the artifact's size is the module's LocalSize.
void checkWorkgroupSize(const hal::KernelSignature &signature,
                        const VulkanDevice &device) {
  const VkPhysicalDeviceLimits &limits = device.properties().limits;
  uint64_t invocations = 1;
  for (size_t axis = 0; axis < 3; ++axis) {
    invocations *= signature.workgroupSize[axis];
    if (signature.workgroupSize[axis] > limits.maxComputeWorkGroupSize[axis])
      fail("kernel '" + signature.name + "' has workgroups of " +
           std::to_string(signature.workgroupSize[axis]) + " along " +
           "xyz"[axis] + "; " + device.name() + " runs at most " +
           std::to_string(limits.maxComputeWorkGroupSize[axis]));
  }
  if (invocations > limits.maxComputeWorkGroupInvocations)
    fail("kernel '" + signature.name + "' has workgroups of " +
         std::to_string(invocations) + " invocations; " + device.name() +
         " runs at most " +
         std::to_string(limits.maxComputeWorkGroupInvocations));
}

// The kernel's module as words: the range the reader checked, copied
// because the artifact's bytes need not be 4-byte aligned in memory.
std::vector<uint32_t> moduleWords(const Artifact &artifact, uint32_t kernel) {
  const artifact::Kernel &entry = *artifact.root().kernels()->Get(kernel);
  std::vector<uint32_t> words(entry.code_size() / sizeof(uint32_t));
  std::memcpy(words.data(),
              artifact.root().code()->data() + entry.code_offset(),
              words.size() * sizeof(uint32_t));
  return words;
}

} // namespace

VulkanKernelLibrary::VulkanKernelLibrary(VulkanDevice &device,
                                         const Artifact &artifact)
    : hal::KernelLibrary(artifact), device(device), cache(device) {
  try {
    pipelines.resize(size());
    for (uint32_t kernel = 0; kernel < size(); ++kernel)
      createLayouts(kernel);
    compileAll(artifact);
  } catch (...) {
    release();
    throw;
  }
}

VulkanKernelLibrary::~VulkanKernelLibrary() { release(); }

void VulkanKernelLibrary::release() {
  if (device.abandonedWork())
    return;
  const VulkanApi &api = device.api();
  for (const Pipeline &pipeline : pipelines) {
    api.vkDestroyPipeline(device.handle(), pipeline.pipeline, nullptr);
    api.vkDestroyPipelineLayout(device.handle(), pipeline.layout, nullptr);
    api.vkDestroyDescriptorSetLayout(device.handle(), pipeline.setLayout,
                                     nullptr);
  }
  pipelines.clear();
}

void VulkanKernelLibrary::compileAll(const Artifact &artifact) {
  std::atomic<uint32_t> next = 0;
  std::exception_ptr firstError;
  std::mutex errorMutex;
  auto work = [&] {
    for (uint32_t kernel = next++; kernel < size(); kernel = next++) {
      try {
        compile(artifact, kernel);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(errorMutex);
        if (!firstError)
          firstError = std::current_exception();
        next = size();
      }
    }
  };
  const unsigned threads =
      std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < threads; ++i)
    workers.emplace_back(work);
  work();
  for (std::thread &worker : workers)
    worker.join();
  if (firstError)
    std::rethrow_exception(firstError);
}

void VulkanKernelLibrary::createLayouts(uint32_t kernel) {
  const hal::KernelSignature &signature = this->signature(kernel);
  const std::string at = "kernel '" + signature.name + "'";
  const VulkanApi &api = device.api();
  const VkDevice handle = device.handle();
  const uint32_t constantBytes = pushConstantBytes(signature, device);
  checkWorkgroupSize(signature, device);
  const uint32_t maxBuffers =
      device.properties().limits.maxPerStageDescriptorStorageBuffers;
  if (signature.bindings.size() > maxBuffers)
    fail(at + " takes " + std::to_string(signature.bindings.size()) +
         " buffers; " + device.name() + " binds at most " +
         std::to_string(maxBuffers) + " to one kernel");

  // Each object goes into the library as soon as it exists, so that
  // release destroys it if a later step throws.
  Pipeline &result = pipelines[kernel];
  result.pushConstantBytes = constantBytes;

  std::vector<VkDescriptorSetLayoutBinding> bindings(signature.bindings.size());
  for (uint32_t i = 0; i < bindings.size(); ++i) {
    bindings[i].binding = i;
    bindings[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    bindings[i].descriptorCount = 1;
    bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
  }
  VkDescriptorSetLayoutCreateInfo setInfo =
      vkStruct<VkDescriptorSetLayoutCreateInfo>(
          VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  setInfo.bindingCount = static_cast<uint32_t>(bindings.size());
  setInfo.pBindings = bindings.data();
  check(api.vkCreateDescriptorSetLayout(handle, &setInfo, nullptr,
                                        &result.setLayout),
        (at + ": cannot create its descriptor set layout").c_str());
  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0,
                            result.pushConstantBytes};
  VkPipelineLayoutCreateInfo layoutInfo = vkStruct<VkPipelineLayoutCreateInfo>(
      VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layoutInfo.setLayoutCount = 1;
  layoutInfo.pSetLayouts = &result.setLayout;
  layoutInfo.pushConstantRangeCount = result.pushConstantBytes ? 1 : 0;
  layoutInfo.pPushConstantRanges = &range;
  check(
      api.vkCreatePipelineLayout(handle, &layoutInfo, nullptr, &result.layout),
      (at + ": cannot create its pipeline layout").c_str());
}

void VulkanKernelLibrary::compile(const Artifact &artifact, uint32_t kernel) {
  const hal::KernelSignature &signature = this->signature(kernel);
  const std::string at = "kernel '" + signature.name + "'";
  const VulkanApi &api = device.api();
  const VkDevice handle = device.handle();
  // The driver must never see a module without the entry point (lavapipe
  // crashes on one).
  const std::vector<uint32_t> words = moduleWords(artifact, kernel);
  const std::vector<std::string> entryPoints = computeEntryPoints(words);
  if (std::find(entryPoints.begin(), entryPoints.end(), signature.entryPoint) ==
      entryPoints.end()) {
    std::string found;
    for (const std::string &name : entryPoints)
      found += (found.empty() ? "'" : ", '") + name + "'";
    fail(at + ": its SPIR-V module has no compute entry point '" +
         signature.entryPoint + "' (it has " +
         (found.empty() ? "none" : found) + ")");
  }
  Pipeline &result = pipelines[kernel];

  VkShaderModuleCreateInfo moduleInfo = vkStruct<VkShaderModuleCreateInfo>(
      VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  moduleInfo.codeSize = words.size() * sizeof(uint32_t);
  moduleInfo.pCode = words.data();
  VkShaderModule module = VK_NULL_HANDLE;
  check(api.vkCreateShaderModule(handle, &moduleInfo, nullptr, &module),
        (at + ": the driver refuses its SPIR-V module").c_str());
  VkComputePipelineCreateInfo pipelineInfo =
      vkStruct<VkComputePipelineCreateInfo>(
          VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pipelineInfo.stage.sType =
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  pipelineInfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipelineInfo.stage.module = module;
  pipelineInfo.stage.pName = signature.entryPoint.c_str();
  pipelineInfo.layout = result.layout;
  const VkResult compiled = api.vkCreateComputePipelines(
      handle, cache.handle(), 1, &pipelineInfo, nullptr, &result.pipeline);
  // The pipeline keeps what it needs of the module.
  api.vkDestroyShaderModule(handle, module, nullptr);
  check(compiled, (at + ": the driver cannot compile it").c_str());
}

} // namespace avila::vulkan
