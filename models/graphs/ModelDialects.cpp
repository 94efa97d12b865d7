//===- ModelDialects.cpp - Dialects the model graphs are written in -------===//

#include "models/graphs/Models.h"

#include "compiler/dialect/AvilaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

namespace avila::models {

void loadModelDialects(mlir::MLIRContext &context) {
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
}

} // namespace avila::models
