//===- WorkgroupSum.h - f32 sums across a workgroup -------------*- C++ -*-===//
//
// The reductions of the Vulkan kernels (TileReductions' sums, a whole
// norm's statistics) add up one f32 partial per invocation: each subgroup
// combines its invocations' partials with subgroup arithmetic, its first
// lane stores that into workgroup memory, and after a barrier the
// subgroups' totals are added up, in the same order in every invocation.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPSUM_H
#define AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPSUM_H

#include "mlir/IR/Builders.h"

namespace avila::spirv {

/// Workgroup memory for one workgroup sum of `invocations` invocations:
/// one f32 slot per possible subgroup (as many as invocations where
/// subgroups are single invocations).
mlir::Value allocateSubgroupTotals(mlir::OpBuilder &b, mlir::Location loc,
                                   int64_t invocations);

/// The sum of every invocation's `partial` in its workgroup, in every
/// invocation, through `totals` (allocateSubgroupTotals). It holds a
/// barrier, so every invocation of the workgroup must reach it or none;
/// `totals` serves one sum.
mlir::Value addAcrossWorkgroup(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::Value partial, mlir::Value totals);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_WORKGROUPSUM_H
