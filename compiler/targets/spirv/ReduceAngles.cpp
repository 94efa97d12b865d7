//===- ReduceAngles.cpp - sin and cos of angles brought into [-π, π] ------===//

#include "compiler/targets/spirv/SpirvPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace avila::spirv {
#define GEN_PASS_DEF_REDUCEANGLES
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;

namespace {

// 2π in three parts (Cody–Waite). The first two have 12 significant bits,
// so turns · part is exact for |turns| < 2¹² (angles up to ~25 000) and the
// subtractions lose nothing the result could hold; the third carries 2π's
// next 24 bits, leaving an error of 2e-17 per turn.
constexpr float kTwoPiHigh = 0x1.922p+2f;
constexpr float kTwoPiMiddle = -0x1.2aep-16f;
constexpr float kTwoPiLow = -0x1.de973ep-29f;
constexpr float kTurnsPerRadian = 0x1.45f306p-3f;

// `angle` minus its nearest whole number of turns, computed where `angle`
// is defined.
Value reduce(Value angle) {
  OpBuilder b(angle.getContext());
  b.setInsertionPointAfterValue(angle);
  Location loc = angle.getLoc();
  auto constant = [&](float value) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(value));
  };
  Value perRadian = constant(kTurnsPerRadian);
  Value parts[] = {constant(kTwoPiHigh), constant(kTwoPiMiddle),
                   constant(kTwoPiLow)};
  Value turns = math::RoundEvenOp::create(
      b, loc, arith::MulFOp::create(b, loc, angle, perRadian));
  Value reduced = angle;
  for (Value part : parts)
    reduced = arith::SubFOp::create(b, loc, reduced,
                                    arith::MulFOp::create(b, loc, turns, part));
  return reduced;
}

struct ReduceAngles : avila::spirv::impl::ReduceAnglesBase<ReduceAngles> {
  void runOnOperation() override {
    // An angle's sin and cos share one reduction.
    llvm::DenseMap<Value, Value> reduced;
    getOperation().walk([&](Operation *op) {
      if (!isa<math::SinOp, math::CosOp>(op) ||
          !op->getOperand(0).getType().isF32())
        return;
      Value &angle = reduced[op->getOperand(0)];
      if (!angle)
        angle = reduce(op->getOperand(0));
      op->setOperand(0, angle);
    });
  }
};

} // namespace
