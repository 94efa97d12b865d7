//===- ContractionBufferization.h - avila.contraction on buffers -*- C++
//-*-===//
//
// One-Shot Bufferize turns avila.contraction on tensors into the same op on
// buffers, updating its init in place as linalg ops do, so that every
// target lowers the op on buffers with the bufferization decisions of the
// shared phases.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TRANSFORMS_CONTRACTIONBUFFERIZATION_H
#define AVILA_COMPILER_TRANSFORMS_CONTRACTIONBUFFERIZATION_H

#include "mlir/IR/DialectRegistry.h"

namespace avila {

void registerContractionBufferization(mlir::DialectRegistry &registry);

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_CONTRACTIONBUFFERIZATION_H
