//===- AvilaDialect.cpp - The avila dialect -------------------------------===//

#include "compiler/dialect/AvilaDialect.h"
#include "compiler/dialect/AvilaOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace avila;

#include "compiler/dialect/AvilaOpsDialect.cpp.inc"

void AvilaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "compiler/dialect/AvilaOps.cpp.inc"
      >();
}

Operation *AvilaDialect::materializeConstant(OpBuilder &builder,
                                             Attribute value, Type type,
                                             Location loc) {
  if (isa<IndexType>(type))
    return arith::ConstantIndexOp::create(builder, loc,
                                          cast<IntegerAttr>(value).getInt());
  if (auto elements = dyn_cast<ElementsAttr>(value))
    return ConstantOp::create(builder, loc, type, elements);
  return nullptr;
}
