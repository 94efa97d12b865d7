//===- DeviceProfile.h - What SPIR-V kernels may assume of a device -*- C++
//-*-===//
//
// The kernels of a Vulkan artifact are generated for a class of devices:
// the profile says which capabilities and limits they may rely on, and so
// which kernel structure (a cooperative-matrix tile or an FMA tile) each
// contraction gets. The runtime checks the device against what the
// artifact then records as its features.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_DEVICEPROFILE_H
#define AVILA_COMPILER_TARGETS_SPIRV_DEVICEPROFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace avila::spirv {

/// The workgroup tile every tiled contraction of an artifact gets.
struct ContractionTile {
  int64_t rows = 64, cols = 64, depth = 16;
  /// FMA tiles: the outputs one invocation accumulates.
  int64_t threadRows = 4, threadCols = 4;
  /// Cooperative matrices: the 16×16 fragments along each side of the
  /// square one subgroup owns.
  int64_t subgroupFragments = 2;
  /// The most depth (window · channels) one workgroup reduces; a longer
  /// contraction is split into parts summed by a second launch, so that
  /// the deep layers' few output tiles still fill the device. 0: never.
  int64_t depthSplit = 0;
};

struct DeviceProfile {
  std::string name;
  /// The invocations of a subgroup; 0 where the kernels may assume none.
  uint32_t subgroupSize = 0;
  /// Bytes of workgroup (shared) memory one workgroup may allocate.
  int64_t maxWorkgroupMemory = 32 * 1024;
  int64_t maxWorkgroupInvocations = 1024;
  /// The largest range one storage-buffer binding may cover.
  uint64_t maxStorageBufferRange = uint64_t{128} << 20;
  /// shaderFloat16 and storageBuffer16BitAccess.
  bool float16 = false;
  /// VK_KHR_cooperative_matrix with the subgroup-scope 16x16x16
  /// f16·f16 + f32 shape (and the Vulkan memory model it needs).
  bool cooperativeMatrix = false;
  ContractionTile contractionTile = {};
  /// Invocations per workgroup of the kernels that run one invocation per
  /// element (elementwise work, copies, norms' loops).
  int64_t loopWorkgroupSize = 64;
  /// For `auto`: the device the profile was read from ("vulkan:0 (name)").
  std::string device = {};
};

/// The profiles known by name, in the order `--device-profile` lists them.
std::vector<std::string> deviceProfileNames();

/// The profile named `name`, or read from the JSON file `name` ends in
/// `.json` (docs/device-profiles.md: a known profile as its base, the
/// fields it changes), or for `auto` the local Vulkan device's limits and
/// capabilities with the contraction tile of the closest known profile; an
/// error naming the problem otherwise.
llvm::Expected<DeviceProfile> deviceProfile(llvm::StringRef name);

/// One line of what a profile holds: "subgroup 8, workgroup memory 32768
/// bytes, ...".
std::string describeDeviceProfile(const DeviceProfile &profile);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_DEVICEPROFILE_H
