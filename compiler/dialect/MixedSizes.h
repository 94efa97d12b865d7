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

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
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

/// The size domain of SizeRules.h in which sizes are OpFoldResults: static
/// sizes stay index attributes, run-time sizes are read with `DimOpT`
/// (avila.dim in graphs, tensor.dim once lowered) and combined with arith
/// ops; constants fold as they go.
template <typename DimOpT> class IndexSizes {
public:
  using Size = mlir::OpFoldResult;

  IndexSizes(mlir::OpBuilder &builder, mlir::Location loc)
      : builder(builder), loc(loc) {}

  Size dim(mlir::Value tensor, int64_t axis) {
    int64_t size =
        llvm::cast<mlir::RankedTensorType>(tensor.getType()).getDimSize(axis);
    if (!mlir::ShapedType::isDynamic(size))
      return constant(size);
    return DimOpT::create(builder, loc, tensor, axis).getResult();
  }
  Size index(mlir::Value size) { return size; }
  Size constant(int64_t value) { return builder.getIndexAttr(value); }
  Size add(Size a, Size b) {
    if (constantOf(b) == 0)
      return a;
    return combine<mlir::arith::AddIOp>(a, b, std::plus<int64_t>());
  }
  Size sub(Size a, Size b) {
    if (constantOf(b) == 0)
      return a;
    return combine<mlir::arith::SubIOp>(a, b, std::minus<int64_t>());
  }
  Size mul(Size a, Size b) {
    if (constantOf(b) == 1)
      return a;
    return combine<mlir::arith::MulIOp>(a, b, std::multiplies<int64_t>());
  }
  // Sizes are never negative, so unsigned division is floor division.
  Size floorDiv(Size a, Size b) {
    if (constantOf(b) == 1)
      return a;
    return combine<mlir::arith::DivUIOp>(
        a, b, [](int64_t x, int64_t y) { return x / y; });
  }
  Size same(Size a, Size b) { return constantOf(a) || !constantOf(b) ? a : b; }

  /// `size` as an index value.
  mlir::Value value(Size size) {
    return mlir::getValueOrCreateConstantIndexOp(builder, loc, size);
  }

private:
  static std::optional<int64_t> constantOf(Size size) {
    return mlir::getConstantIntValue(size);
  }

  template <typename ArithOp, typename Fold>
  Size combine(Size a, Size b, Fold fold) {
    std::optional<int64_t> x = constantOf(a), y = constantOf(b);
    if (x && y)
      return constant(fold(*x, *y));
    mlir::Value lhs = value(a);
    mlir::Value rhs = value(b);
    return ArithOp::create(builder, loc, lhs, rhs).getResult();
  }

  mlir::OpBuilder &builder;
  mlir::Location loc;
};

} // namespace avila

#endif // AVILA_COMPILER_DIALECT_MIXEDSIZES_H
