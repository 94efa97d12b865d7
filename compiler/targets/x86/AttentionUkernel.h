//===- AttentionUkernel.h - Attention as one CPU ukernel call ---*- C++ -*-===//
//
// The CPU runtime computes attention without materializing the scores
// (runtime/hal/cpu/ukernels/Attention.h). The attention the shared linalg
// phase keeps whole (WholeAttention.h), One-Shot Bufferize turns into an
// output allocation and a ukernel call through the BufferizableOpInterface
// model registered here.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_ATTENTIONUKERNEL_H
#define AVILA_COMPILER_TARGETS_X86_ATTENTIONUKERNEL_H

#include "compiler/dialect/AvilaOps.h"

#include "mlir/IR/DialectRegistry.h"

namespace avila {

void registerAttentionUkernelBufferization(mlir::DialectRegistry &registry);

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_X86_ATTENTIONUKERNEL_H
