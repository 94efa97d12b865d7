//===- CooperativeAttention.h - Flash attention on fragments ----*- C++ -*-===//
//
// Attention whose two products run on cooperative matrices: scores of 16
// query rows by 16 keys, and their weighted values, as 16×16 f16 fragments
// accumulating in f32, with the online softmax between them done by two
// invocations per row. `--avila-tile-attention` builds it where the device
// has cooperative matrices and the head fits its workgroup memory.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_COOPERATIVEATTENTION_H
#define AVILA_COMPILER_TARGETS_SPIRV_COOPERATIVEATTENTION_H

#include "compiler/dialect/AvilaOps.h"

#include "mlir/IR/Builders.h"

namespace avila::spirv {

/// Builds `op` (f32 buffers, f16 in memory once the kernel runs) as a
/// launch of workgroups of `subgroupSize`-wide subgroups multiplying
/// fragments, before `op`; false, with nothing built, where its head does
/// not fit `maxWorkgroupMemory` bytes.
bool buildCooperativeAttention(mlir::OpBuilder &b, FusedAttentionOp op,
                               int64_t subgroupSize,
                               int64_t maxWorkgroupMemory);

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_COOPERATIVEATTENTION_H
