//===- AvilaOps.h - Ops of the avila dialect ---------------------*- C++
//-*-===//

#ifndef AVILA_COMPILER_DIALECT_AVILAOPS_H
#define AVILA_COMPILER_DIALECT_AVILAOPS_H

#include "compiler/dialect/AvilaDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/DestinationStyleOpInterface.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace avila::OpTrait {

/// Runs an op's shape rules (its inferReturnTypes) as part of verifying the
/// op's invariants and compares the result types with the declared ones, so
/// that a broken rule reports its own message, once.
template <typename ConcreteType>
class ShapeRules : public mlir::OpTrait::TraitBase<ConcreteType, ShapeRules> {
public:
  static llvm::LogicalResult verifyTrait(mlir::Operation *op) {
    auto concrete = llvm::cast<ConcreteType>(op);
    llvm::SmallVector<mlir::Type> inferred;
    if (failed(ConcreteType::inferReturnTypes(
            op->getContext(), op->getLoc(),
            typename ConcreteType::Adaptor(concrete), inferred)))
      return llvm::failure();
    if (mlir::TypeRange(inferred) != op->getResultTypes())
      return op->emitOpError("result type ")
             << op->getResultTypes() << " does not match the inferred type "
             << inferred;
    return llvm::success();
  }
};

} // namespace avila::OpTrait

#define GET_OP_CLASSES
#include "compiler/dialect/AvilaOps.h.inc"

#endif // AVILA_COMPILER_DIALECT_AVILAOPS_H
