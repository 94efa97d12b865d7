//===- NormFormulas.h - The norms' per-element formulas ---------*- C++ -*-===//
//
// The normalizations' output per element, and the SiLU a group norm's
// output often goes through, are written once: the linalg lowering emits
// them in its generic bodies, a target's whole-norm kernel in its loops, so
// both compute the same f32 arithmetic.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TRANSFORMS_NORMFORMULAS_H
#define AVILA_COMPILER_TRANSFORMS_NORMFORMULAS_H

#include "mlir/IR/Builders.h"

namespace avila {

/// 1 / (1 + exp(−x)), in f32.
mlir::Value sigmoid(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x);

/// (x − mean) / sqrt(variance + ε) · gamma + beta, in f32.
mlir::Value normalize(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      mlir::Value mean, mlir::Value variance, mlir::Value gamma,
                      mlir::Value beta, double epsilon);

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_NORMFORMULAS_H
