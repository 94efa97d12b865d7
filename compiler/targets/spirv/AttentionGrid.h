//===- AttentionGrid.h - Workgroups over query blocks of heads --*- C++ -*-===//
//
// Both tiled attention kernels give each workgroup one block of query rows
// of one (batch, head): the grid, its launch and the block a workgroup
// owns are made here once.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_ATTENTIONGRID_H
#define AVILA_COMPILER_TARGETS_SPIRV_ATTENTIONGRID_H

#include "compiler/dialect/AvilaOps.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"

namespace avila::spirv {

struct AttentionGrid {
  /// Host side: the query and key counts, the query blocks of one head
  /// and the workgroups (blocks · batches · heads).
  mlir::Value queries, keyCount, queryBlocks, groups;

  /// The workgroup's block: its batch, head and first query row.
  struct Block {
    mlir::Value batch, head, firstQuery;
  };

  using KernelBuilder = llvm::function_ref<void(
      mlir::OpBuilder &, mlir::gpu::LaunchOp, const AttentionGrid &)>;

  /// Launches `invocations` per workgroup over blocks of `rows` query rows
  /// of every (batch, head) of `op` (split over y · z), the kernel's body
  /// made by `kernel`.
  static void launch(mlir::OpBuilder &b, FusedAttentionOp op, int64_t rows,
                     int64_t invocations, KernelBuilder kernel);

  /// Kernel side: the block of the workgroup at grid index `linear`.
  Block block(mlir::OpBuilder &b, mlir::Location loc, mlir::Value linear,
              int64_t heads, int64_t rows) const;
};

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_ATTENTIONGRID_H
