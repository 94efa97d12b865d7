//===- Passes.h - Graph passes on the avila dialect --------------*- C++
//-*-===//

#ifndef AVILA_COMPILER_TRANSFORMS_PASSES_H
#define AVILA_COMPILER_TRANSFORMS_PASSES_H

#include "compiler/dialect/AvilaDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace avila {

#define GEN_PASS_DECL
#include "compiler/transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/transforms/Passes.h.inc"

} // namespace avila

#endif // AVILA_COMPILER_TRANSFORMS_PASSES_H
