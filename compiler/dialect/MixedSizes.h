//===- MixedSizes.h - Sizes that are static or known at run time -*- C++
//-*-===//
//
// Graph builders and rewrites describe a shape as one OpFoldResult per
// dimension: an index attribute where the size is static, an index Value
// (usually an avila.dim) where it is only known at run time.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_DIALECT_MIXEDSIZES_H
#define AVILA_COMPILER_DIALECT_MIXEDSIZES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"

namespace avila {

/// The size of dimension `axis` of the ranked tensor `value`.
mlir::OpFoldResult getMixedSize(mlir::OpBuilder &builder, mlir::Location loc,
                                mlir::Value value, int64_t axis);

/// An avila.reshape of `input` to `sizes`; dynamic entries become the
/// reshape's dims operands.
mlir::Value createReshape(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value input,
                          llvm::ArrayRef<mlir::OpFoldResult> sizes);

} // namespace avila

#endif // AVILA_COMPILER_DIALECT_MIXEDSIZES_H
