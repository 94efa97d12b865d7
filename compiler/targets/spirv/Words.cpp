//===- Words.cpp - 16-byte loads of f16 operands --------------------------===//

#include "compiler/targets/spirv/Words.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

VectorType avila::spirv::wordType(MLIRContext *context) {
  return VectorType::get({4}, IntegerType::get(context, 32));
}

Value avila::spirv::alignedRoot(Value buffer) {
  while (Operation *definition = buffer.getDefiningOp()) {
    if (isa<memref::AllocOp>(definition))
      return buffer;
    if (!isa<memref::CastOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::ReshapeOp>(definition))
      return Value();
    buffer = definition->getOperand(0);
  }
  return buffer;
}

Value avila::spirv::loadWord(OpBuilder &b, Location loc, Value buffer,
                             ValueRange at) {
  Type element = cast<MemRefType>(buffer.getType()).getElementType();
  auto halvesType = VectorType::get({kWordHalves}, b.getF16Type());
  Value halves = vector::LoadOp::create(
      b, loc, VectorType::get({kWordHalves}, element), buffer, at);
  if (!element.isF16())
    halves = arith::TruncFOp::create(b, loc, halvesType, halves);
  return vector::BitCastOp::create(b, loc, wordType(b.getContext()), halves);
}
