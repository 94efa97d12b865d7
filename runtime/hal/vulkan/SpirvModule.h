//===- SpirvModule.h - What a kernel's SPIR-V module declares ----*- C++
//-*-===//
//
// Drivers treat a pipeline whose entry point the module lacks as undefined
// behaviour (lavapipe crashes), so the runtime reads the module's
// OpEntryPoint instructions itself before it creates a pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_VULKAN_SPIRVMODULE_H
#define AVILA_RUNTIME_HAL_VULKAN_SPIRVMODULE_H

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace avila::vulkan {

/// The names of `words`' GLCompute entry points. Throws avila::Error for a
/// module whose instructions do not fit in it.
std::vector<std::string> computeEntryPoints(std::span<const uint32_t> words);

} // namespace avila::vulkan

#endif // AVILA_RUNTIME_HAL_VULKAN_SPIRVMODULE_H
