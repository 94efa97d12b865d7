//===- NormFormulas.cpp - Per-element formulas of the normalizations ------===//

#include "compiler/transforms/NormFormulas.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;

namespace avila {

Value sigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(1.0f));
  Value negated = arith::NegFOp::create(b, loc, x);
  Value denominator =
      arith::AddFOp::create(b, loc, one, math::ExpOp::create(b, loc, negated));
  return arith::DivFOp::create(b, loc, one, denominator);
}

Value normalize(OpBuilder &b, Location loc, Value x, Value mean, Value variance,
                Value gamma, Value beta, double epsilon) {
  Value centered = arith::SubFOp::create(b, loc, x, mean);
  Value scale = math::RsqrtOp::create(
      b, loc,
      arith::AddFOp::create(
          b, loc, variance,
          arith::ConstantOp::create(b, loc, b.getF32FloatAttr(epsilon))));
  Value normalized = arith::MulFOp::create(b, loc, centered, scale);
  return arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, normalized, gamma), beta);
}

} // namespace avila
