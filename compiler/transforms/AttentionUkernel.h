//===- AttentionUkernel.h - Attention as one CPU ukernel call ---*- C++ -*-===//
//
// The CPU runtime computes attention without materializing the scores
// (runtime/hal/cpu/ukernels/Attention.h). For the ops it handles, the x86
// pipeline keeps avila.attention through linalg lowering, and One-Shot
// Bufferize turns it into an output allocation and a ukernel call through
// the BufferizableOpInterface model registered here.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TRANSFORMS_ATTENTIONUKERNEL_H
#define AVILA_COMPILER_TRANSFORMS_ATTENTIONUKERNEL_H

#include "compiler/dialect/AvilaOps.h"

#include "mlir/IR/DialectRegistry.h"

namespace avila {

/// f32 operands, no mask, not causal, a positive scale and static embedding
/// sizes.
bool runsAsAttentionUkernel(AttentionOp op);

void registerAttentionUkernelBufferization(mlir::DialectRegistry &registry);

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_ATTENTIONUKERNEL_H
