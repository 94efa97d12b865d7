//===- PipelineCache.h - Compiled pipelines kept between runs ----*- C++
//-*-===//
//
// Turning SPIR-V into device code takes the driver seconds for a whole
// network, so the VkPipelineCache is loaded from and saved to
// $XDG_CACHE_HOME/avila/ (else ~/.cache/avila/), one file per
// pipelineCacheUUID (driver build and device). The cache only ever saves
// time: a file that cannot be read, does not match this device or is
// damaged is ignored with a warning, and a folder that cannot be written
// costs the next run the compilation, never this run.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_PIPELINECACHE_H
#define AVILA_RUNTIME_HAL_VULKAN_PIPELINECACHE_H

#include "runtime/hal/vulkan/VulkanApi.h"

#include <filesystem>

namespace avila::vulkan {

class VulkanDevice;

class PipelineCache {
public:
  /// Loads the device's cache file, if there is a valid one.
  explicit PipelineCache(const VulkanDevice &device);
  /// Saves the cache, warning on stderr when it cannot.
  ~PipelineCache();
  PipelineCache(const PipelineCache &) = delete;
  PipelineCache &operator=(const PipelineCache &) = delete;

  VkPipelineCache handle() const { return cache; }
  /// Where the cache of this device lives; empty when no folder is known.
  const std::filesystem::path &file() const { return path; }

private:
  void save() const;

  const VulkanDevice &device;
  std::filesystem::path path;
  VkPipelineCache cache = VK_NULL_HANDLE;
};

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_PIPELINECACHE_H
