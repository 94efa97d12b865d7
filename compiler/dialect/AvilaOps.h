//===- AvilaOps.h - Ops of the avila dialect ---------------------*- C++ -*-===//

#ifndef AVILA_COMPILER_DIALECT_AVILAOPS_H
#define AVILA_COMPILER_DIALECT_AVILAOPS_H

#include "compiler/dialect/AvilaDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "compiler/dialect/AvilaOps.h.inc"

#endif // AVILA_COMPILER_DIALECT_AVILAOPS_H
