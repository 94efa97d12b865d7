//===- SizeExpressions.h - Sizes as expressions over entry inputs -*- C++
//-*-===//
//
// The artifact states every size that depends on a request (batch, height,
// width) as an expression over the entry point's input dimensions, which the
// runtime evaluates once per request. ShapeEvaluator derives them op by op
// through the ops' size rules (compiler/dialect/SizeRules.h), for which it is
// the expression domain.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_ARTIFACT_SIZEEXPRESSIONS_H
#define AVILA_COMPILER_ARTIFACT_SIZEEXPRESSIONS_H

#include "runtime/artifact/artifact_generated.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/Error.h"

#include <map>
#include <memory>
#include <tuple>
#include <vector>

namespace avila {

/// The size expressions of one entry point, hash-consed, constants folded.
class ExprTable {
public:
  uint32_t constant(int64_t value);
  uint32_t inputDim(uint32_t input, uint32_t axis);
  uint32_t binary(artifact::ExprOp op, uint32_t lhs, uint32_t rhs);
  uint32_t product(llvm::ArrayRef<uint32_t> factors);

  /// The value of `index` when every input dimension is `dim` (overflow
  /// wraps; only used to rank sizes).
  int64_t estimate(uint32_t index, int64_t dim) const;

  std::vector<std::unique_ptr<artifact::ExprT>> take();

private:
  std::optional<int64_t> constantValue(uint32_t index) const;
  uint32_t add(const artifact::ExprT &expr);

  std::vector<artifact::ExprT> exprs;
  std::map<std::tuple<int, int64_t, uint32_t, uint32_t, uint32_t, uint32_t>,
           uint32_t>
      cache;
};

/// Sizes of every tensor and index value of an entry function and of the
/// dispatches it calls, as expressions over the entry's input dimensions.
/// Also the size domain of SizeRules.h whose sizes are expressions.
class ShapeEvaluator {
public:
  using Size = uint32_t;
  using Dims = llvm::SmallVector<uint32_t>;

  explicit ShapeEvaluator(ExprTable &table) : table(table) {}

  llvm::Error evaluate(mlir::func::FuncOp function);

  const Dims &dims(mlir::Value value) const {
    return tensors.find(value)->second;
  }
  uint32_t index(mlir::Value value) const { return indices.lookup(value); }
  /// Pairs of sizes the ops require to be equal, for the runtime to check.
  const std::vector<std::pair<uint32_t, uint32_t>> &equalities() const {
    return equal;
  }

  // The size domain (SizeRules.h).
  Size dim(mlir::Value tensor, int64_t axis) const {
    return dims(tensor)[axis];
  }
  Size constant(int64_t value) { return table.constant(value); }
  Size add(Size a, Size b) { return table.binary(artifact::ExprOp::Add, a, b); }
  Size sub(Size a, Size b) { return table.binary(artifact::ExprOp::Sub, a, b); }
  Size mul(Size a, Size b) { return table.binary(artifact::ExprOp::Mul, a, b); }
  Size floorDiv(Size a, Size b) {
    return table.binary(artifact::ExprOp::FloorDiv, a, b);
  }
  /// Records that the runtime must find `a` and `b` equal.
  Size same(Size a, Size b) {
    if (a != b)
      equal.emplace_back(a, b);
    return a;
  }

private:
  llvm::Error evaluateBody(mlir::func::FuncOp function);
  llvm::Error evaluateOp(mlir::Operation *op);
  void bind(mlir::Value to, mlir::Value from);

  ExprTable &table;
  llvm::DenseMap<mlir::Value, Dims> tensors;
  llvm::DenseMap<mlir::Value, uint32_t> indices;
  std::vector<std::pair<uint32_t, uint32_t>> equal;
};

} // namespace avila

#endif // AVILA_COMPILER_ARTIFACT_SIZEEXPRESSIONS_H
