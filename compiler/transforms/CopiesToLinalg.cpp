//===- CopiesToLinalg.cpp - Buffer copies as linalg loops -----------------===//

#include "compiler/transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace avila {
#define GEN_PASS_DEF_COPIESTOLINALG
#include "compiler/transforms/Passes.h.inc"
} // namespace avila

using namespace mlir;

namespace {

struct CopiesToLinalg : avila::impl::CopiesToLinalgBase<CopiesToLinalg> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      OpBuilder builder(copy);
      linalg::CopyOp::create(builder, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};

} // namespace
