//===- AvilaDialect.h - The avila dialect ------------------------*- C++
//-*-===//

#ifndef AVILA_COMPILER_DIALECT_AVILADIALECT_H
#define AVILA_COMPILER_DIALECT_AVILADIALECT_H

#include "mlir/IR/Dialect.h"

#include "compiler/dialect/AvilaOpsDialect.h.inc"

#endif // AVILA_COMPILER_DIALECT_AVILADIALECT_H
