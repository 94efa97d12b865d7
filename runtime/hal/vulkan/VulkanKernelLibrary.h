//===- VulkanKernelLibrary.h - A Vulkan artifact's pipelines -----*- C++
//-*-===//
//
// One compute pipeline per kernel, from the kernel's own SPIR-V module (a
// range of the artifact's code) and a layout made from its signature:
// descriptor set 0 with one storage buffer per binding, in dispatch order
// (inputs, then results), and one push-constant range as long as the
// kernel's push-constant block. Pipelines compile on every host thread.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_VULKANKERNELLIBRARY_H
#define AVILA_RUNTIME_HAL_VULKAN_VULKANKERNELLIBRARY_H

#include "runtime/hal/KernelLibrary.h"
#include "runtime/hal/vulkan/PipelineCache.h"

#include <memory>
#include <vector>

namespace avila::vulkan {

class VulkanDevice;

class VulkanKernelLibrary final : public hal::KernelLibrary {
public:
  /// Throws avila::Error naming the kernel for a module without its entry
  /// point, push constants the device cannot take, or a pipeline the driver
  /// refuses. `device` must outlive the library.
  VulkanKernelLibrary(VulkanDevice &device, const Artifact &artifact);
  ~VulkanKernelLibrary() override;

  struct Pipeline {
    VkDescriptorSetLayout setLayout = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkPipeline pipeline = VK_NULL_HANDLE;
    /// The bytes of the push-constant block: the end of its last scalar.
    uint32_t pushConstantBytes = 0;
  };
  const Pipeline &pipeline(uint32_t kernel) const { return pipelines[kernel]; }
  const VulkanDevice &owner() const { return device; }

private:
  /// Checks kernel `kernel`'s signature against the device and creates its
  /// layouts.
  void createLayouts(uint32_t kernel);
  /// Checks that kernel `kernel`'s module has its entry point and compiles
  /// its pipeline (safe on several threads at once:
  /// each writes only its own entry, and the pipeline cache is internally
  /// synchronized).
  void compile(const Artifact &artifact, uint32_t kernel);
  /// compile for every kernel, on as many threads as the host has: drivers
  /// compile one pipeline per call, and an SD artifact has thousands.
  void compileAll(const Artifact &artifact);
  void release();

  VulkanDevice &device;
  PipelineCache cache;
  std::vector<Pipeline> pipelines;
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_VULKANKERNELLIBRARY_H
