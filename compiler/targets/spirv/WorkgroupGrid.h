//===- WorkgroupGrid.h - Workgroup counts within Vulkan's limits -*- C++
//-*-===//
//
// The tiled kernels number their workgroups linearly (tiles of every batch,
// query blocks of every head) and lay that number out over the y and z axes
// of the grid, since one axis holds at most 65535 workgroups on some
// devices.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPGRID_H
#define AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPGRID_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

#include <utility>

namespace avila::spirv {

/// Vulkan's guaranteed maxComputeWorkGroupCount per axis.
inline constexpr int64_t kMaxWorkgroupsPerAxis = 65535;

/// Grid counts (y, z) for `count` linearly numbered workgroups: z = count /
/// 65535 + 1 and y = count / z + 1, so y · z > count (at least one
/// workgroup, as a dispatch needs) and each axis stays within the limit.
/// Workgroups numbered `count` or more must do nothing.
std::pair<mlir::Value, mlir::Value>
splitOverYZ(mlir::OpBuilder &b, mlir::Location loc, mlir::Value count);

/// A gpu.launch of `gridX` × `count` workgroups of `invocations` along x,
/// the `count` laid out over y · z by splitOverYZ, its body built by
/// `body` (which the launch's terminator follows); the builder is left
/// after the launch.
mlir::gpu::LaunchOp launchOverYZ(
    mlir::OpBuilder &b, mlir::Location loc, mlir::Value gridX,
    mlir::Value count, int64_t invocations,
    llvm::function_ref<void(mlir::OpBuilder &, mlir::gpu::LaunchOp)> body);

/// The linear number of the running workgroup of a grid splitOverYZ laid
/// out: z · y_count + y.
mlir::Value linearWorkgroupYZ(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::gpu::LaunchOp launch);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPGRID_H
