//===- OnlineSoftmax.h - One key's step of attention for one row -*- C++
//-*-===//
//
// Both attention lowerings of the SPIR-V target (one invocation per row,
// and rows in workgroups staging key blocks) walk the keys of a query row
// with the online softmax of the CPU ukernel: the same arithmetic in the
// same order, so that they agree bit for bit. They differ only in where q,
// k and v are read from, which the caller supplies.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_SPIRV_ONLINESOFTMAX_H
#define AVILA_COMPILER_TARGETS_SPIRV_ONLINESOFTMAX_H

#include "mlir/IR/Builders.h"

namespace avila::spirv {

struct OnlineSoftmaxRow {
  /// q[channel] · k[key, channel] of the row's head.
  using ScoreTerm = llvm::function_ref<mlir::Value(
      mlir::OpBuilder &, mlir::Location, mlir::Value key, mlir::Value channel)>;
  /// v[key, channel] of the row's head.
  using ValueRead = llvm::function_ref<mlir::Value(
      mlir::OpBuilder &, mlir::Location, mlir::Value key, mlir::Value channel)>;

  /// Index constants 0 and 1, and the head's key and value channel counts.
  mlir::Value zero, one, depth, width;
  /// f32 constants 0 and -inf, and the scale of the scores.
  mlir::Value zeroF, minusInfinity, scale;
  /// The row's partial output: a private f32 array of `width` values.
  mlir::Value acc;
  ScoreTerm scoreTerm;
  ValueRead value;

  /// The running maximum and sum after key `key`, given those before it;
  /// rescales `acc` to the new maximum and adds key's weighted value row.
  llvm::SmallVector<mlir::Value> step(mlir::OpBuilder &b, mlir::Location loc,
                                      mlir::Value key, mlir::Value max,
                                      mlir::Value sum) const;
};

} // namespace avila::spirv

#endif // AVILA_COMPILER_TARGETS_SPIRV_ONLINESOFTMAX_H
