//===- DestinationStyleRules.h - Rules of avila's kernel ops ----*- C++ -*-===//
//
// avila.contraction, avila.fused_attention and avila.fused_group_norm are
// what the shared phases hand a target backend: destination-style ops that
// live on tensors until bufferization and on buffers after it, updating
// their init in place. All follow the same rules, stated once here.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_DIALECT_DESTINATIONSTYLERULES_H
#define AVILA_COMPILER_DIALECT_DESTINATIONSTYLERULES_H

#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace avila {

/// Operands all ranked tensors (one result, the init's type) or all memrefs
/// (no result); `op` has one init.
llvm::LogicalResult
verifyTensorsOrBuffers(mlir::DestinationStyleOpInterface op);

/// Whether two sizes may be equal: either is dynamic or both are the same.
bool compatibleSizes(int64_t a, int64_t b);

/// On buffers: reads every operand, writes the init.
void addBufferEffects(mlir::DestinationStyleOpInterface op,
                      llvm::SmallVectorImpl<mlir::SideEffects::EffectInstance<
                          mlir::MemoryEffects::Effect>> &effects);

} // namespace avila

#endif // AVILA_COMPILER_DIALECT_DESTINATIONSTYLERULES_H
