//===- LaunchPlan.h - A kernel's launch plan as an attribute -----*- C++
//-*-===//
//
// Between the pass that builds it (DescribeLaunches) and the serializer
// that hands it to the artifact builder, a kernel function's launch plan
// (TargetBackend.h) lives on the function as the dictionary
// `avila.launch_plan`, so that `--compile-to` shows it:
//   sources: array<i64: argument, axis, ...>   (axis -1: a scalar argument)
//   scratch: [{element_type, sizes: affine_map}]
//   launches: [{kernel, entry_point, workgroup_size, workgroup_count,
//               buffers, accesses, push_constants}]
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_LAUNCHPLAN_H
#define AVILA_COMPILER_TARGETS_SPIRV_LAUNCHPLAN_H

#include "compiler/targets/TargetBackend.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Error.h"

namespace avila::spirv {

using BindingAccess = artifact::BindingAccess;

inline constexpr llvm::StringLiteral kLaunchPlan = "avila.launch_plan";
inline constexpr llvm::StringLiteral kSources = "sources";
inline constexpr llvm::StringLiteral kScratch = "scratch";
inline constexpr llvm::StringLiteral kLaunches = "launches";
inline constexpr llvm::StringLiteral kElementType = "element_type";
inline constexpr llvm::StringLiteral kSizes = "sizes";
inline constexpr llvm::StringLiteral kKernel = "kernel";
inline constexpr llvm::StringLiteral kEntryPoint = "entry_point";
inline constexpr llvm::StringLiteral kWorkgroupSize = "workgroup_size";
inline constexpr llvm::StringLiteral kWorkgroupCount = "workgroup_count";
inline constexpr llvm::StringLiteral kBuffers = "buffers";
inline constexpr llvm::StringLiteral kAccesses = "accesses";
inline constexpr llvm::StringLiteral kPushConstants = "push_constants";

inline constexpr int64_t kScalar = LaunchPlan::kScalar;
inline int64_t scratchSource(size_t index) {
  return LaunchPlan::scratchBuffer(index);
}

/// The plan `avila.launch_plan` holds; an error for a malformed one.
llvm::Expected<LaunchPlan> readLaunchPlan(mlir::DictionaryAttr plan);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_LAUNCHPLAN_H
