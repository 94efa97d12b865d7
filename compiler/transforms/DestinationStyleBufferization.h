//===- DestinationStyleBufferization.h - Kernel ops on buffers --*- C++ -*-===//
//
// One-Shot Bufferize turns avila.contraction, avila.fused_attention and
// avila.fused_group_norm on tensors into the same ops on buffers, updating
// their init in place as linalg ops do, so that every target lowers them on
// buffers with the bufferization decisions of the shared phases.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TRANSFORMS_DESTINATIONSTYLEBUFFERIZATION_H
#define AVILA_COMPILER_TRANSFORMS_DESTINATIONSTYLEBUFFERIZATION_H

#include "mlir/IR/DialectRegistry.h"

namespace avila {

void registerDestinationStyleBufferization(mlir::DialectRegistry &registry);

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_DESTINATIONSTYLEBUFFERIZATION_H
