//===- PipelineCache.cpp - Compiled pipelines kept between runs -----------===//

#include "runtime/hal/vulkan/PipelineCache.h"
#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"
#include "runtime/hal/vulkan/VulkanDevice.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace avila::vulkan {

namespace {

// Pipeline caches of a network are a few MiB; anything far larger is not one.
constexpr size_t kMaxCacheBytes = size_t(256) << 20;

std::filesystem::path cacheFolder() {
  if (const char *cache = std::getenv("XDG_CACHE_HOME"); cache && *cache)
    return std::filesystem::path(cache) / "avila";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "avila";
  return {};
}

std::string hex(std::span<const uint8_t> bytes) {
  std::string text;
  for (uint8_t byte : bytes) {
    text += "0123456789abcdef"[byte >> 4];
    text += "0123456789abcdef"[byte & 15];
  }
  return text;
}

void warn(const std::string &message) {
  std::cerr << "avila: warning: " << message << "\n";
}

// The header every pipeline cache starts with
// (VkPipelineCacheHeaderVersionOne): data made by another driver or device is
// refused here rather than handed to a driver that might trust it.
bool matchesDevice(const std::string &data, const PhysicalDevice &device) {
  VkPipelineCacheHeaderVersionOne header;
  if (data.size() < sizeof(header))
    return false;
  std::memcpy(&header, data.data(), sizeof(header));
  return header.headerSize >= sizeof(header) &&
         header.headerSize <= data.size() &&
         header.headerVersion == VK_PIPELINE_CACHE_HEADER_VERSION_ONE &&
         std::memcmp(header.pipelineCacheUUID, device.pipelineCacheUuid.data(),
                     VK_UUID_SIZE) == 0;
}

} // namespace

PipelineCache::PipelineCache(const VulkanDevice &device) : device(device) {
  const PhysicalDevice &properties = device.properties();
  if (const std::filesystem::path folder = cacheFolder(); !folder.empty())
    path = folder / ("vulkan-" + hex(properties.pipelineCacheUuid) + ".cache");
  std::string data;
  std::error_code exists;
  if (!path.empty() && std::filesystem::exists(path, exists)) {
    try {
      data = readFile(path, kMaxCacheBytes);
    } catch (const Error &error) {
      warn("ignoring the pipeline cache: " + std::string(error.what()));
    }
    if (!data.empty() && !matchesDevice(data, properties)) {
      warn("ignoring the pipeline cache " + path.string() +
           ": it is not one of " + device.name());
      data.clear();
    }
  }
  VkPipelineCacheCreateInfo info = vkStruct<VkPipelineCacheCreateInfo>(
      VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO);
  info.initialDataSize = data.size();
  info.pInitialData = data.data();
  if (device.api().vkCreatePipelineCache(device.handle(), &info, nullptr,
                                         &cache) == VK_SUCCESS)
    return;
  warn("ignoring the pipeline cache " + path.string() +
       ": the driver refuses it");
  info.initialDataSize = 0;
  check(device.api().vkCreatePipelineCache(device.handle(), &info, nullptr,
                                           &cache),
        "cannot create a pipeline cache");
}

PipelineCache::~PipelineCache() {
  save();
  device.api().vkDestroyPipelineCache(device.handle(), cache, nullptr);
}

void PipelineCache::save() const {
  if (path.empty())
    return;
  const VulkanApi &api = device.api();
  size_t size = 0;
  if (api.vkGetPipelineCacheData(device.handle(), cache, &size, nullptr) !=
      VK_SUCCESS)
    return;
  std::string data(size, '\0');
  if (api.vkGetPipelineCacheData(device.handle(), cache, &size, data.data()) !=
      VK_SUCCESS)
    return;
  data.resize(size);
  // Written beside and renamed, so that a run that reads the cache while
  // another writes it never sees half a file.
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  const std::filesystem::path partial =
      path.string() + ".partial-" + std::to_string(::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) {
      warn("cannot save the pipeline cache to " + path.string());
      std::filesystem::remove(partial, error);
      return;
    }
  }
  std::filesystem::rename(partial, path, error);
  if (error) {
    warn("cannot save the pipeline cache to " + path.string() + ": " +
         error.message());
    std::filesystem::remove(partial, error);
  }
}

} // namespace avila::vulkan
