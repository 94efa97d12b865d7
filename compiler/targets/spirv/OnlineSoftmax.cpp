//===- OnlineSoftmax.cpp - One key's step of attention for one row --------===//

#include "compiler/targets/spirv/OnlineSoftmax.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace avila::spirv {

SmallVector<Value> OnlineSoftmaxRow::step(OpBuilder &b, Location loc, Value key,
                                          Value max, Value sum) const {
  // scale · Σ_d q[d] · k[key, d], summed in f32 in channel order.
  auto dot = scf::ForOp::create(
      b, loc, zero, depth, one, ValueRange{zeroF},
      [&](OpBuilder &nb, Location nloc, Value d, ValueRange partial) {
        Value term = scoreTerm(nb, nloc, key, d);
        scf::YieldOp::create(
            nb, nloc,
            ValueRange{arith::AddFOp::create(nb, nloc, partial[0], term)});
      });
  Value s = arith::MulFOp::create(b, loc, dot.getResult(0), scale);
  Value newMax = arith::MaximumFOp::create(b, loc, max, s);
  // While every score so far is -inf so is the maximum, and
  // exp(-inf - -inf) would be NaN: subtracting 0 instead gives those keys
  // the weight exp(-inf) = 0.
  Value noMax = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, newMax,
                                      minusInfinity);
  Value shift = arith::SelectOp::create(b, loc, noMax, zeroF, newMax);
  Value correction =
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, max, shift));
  Value weight =
      math::ExpOp::create(b, loc, arith::SubFOp::create(b, loc, s, shift));
  Value newSum = arith::AddFOp::create(
      b, loc, arith::MulFOp::create(b, loc, sum, correction), weight);
  scf::ForOp::create(b, loc, zero, width, one, ValueRange{},
                     [&](OpBuilder &nb, Location nloc, Value d, ValueRange) {
                       Value v = value(nb, nloc, key, d);
                       Value partial = memref::LoadOp::create(nb, nloc, acc, d);
                       Value updated = arith::AddFOp::create(
                           nb, nloc,
                           arith::MulFOp::create(nb, nloc, partial, correction),
                           arith::MulFOp::create(nb, nloc, weight, v));
                       memref::StoreOp::create(nb, nloc, updated, acc, d);
                       scf::YieldOp::create(nb, nloc);
                     });
  return {newMax, newSum};
}

} // namespace avila::spirv
