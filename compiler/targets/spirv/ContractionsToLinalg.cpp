//===- ContractionsToLinalg.cpp - Contractions as plain loops -------------===//
//
// A device without a generated tiled contraction kernel still runs every
// contraction: as the multiply-accumulate loop nest its indexing maps
// describe, which the SIMT lowering maps one output per invocation.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/spirv/SpirvPasses.h"

namespace avila::spirv {
#define GEN_PASS_DEF_CONTRACTIONSTOLINALG
#include "compiler/targets/spirv/SpirvPasses.h.inc"
} // namespace avila::spirv

using namespace mlir;
using namespace avila;

namespace {

void replaceContraction(ContractionOp op) {
  OpBuilder b(op);
  SmallVector<AffineMap> maps = op.getMaps();
  // A loop the init does not index is summed over.
  SmallVector<utils::IteratorType> iterators(maps.back().getNumDims(),
                                             utils::IteratorType::reduction);
  for (AffineExpr result : maps.back().getResults())
    iterators[cast<AffineDimExpr>(result).getPosition()] =
        utils::IteratorType::parallel;
  linalg::GenericOp::create(
      b, op.getLoc(), ValueRange{op.getLhs(), op.getRhs()},
      ValueRange{op.getInit()}, maps, iterators,
      [](OpBuilder &nb, Location loc, ValueRange args) {
        Value product = arith::MulFOp::create(nb, loc, args[0], args[1]);
        linalg::YieldOp::create(
            nb, loc,
            ValueRange{arith::AddFOp::create(nb, loc, args[2], product)});
      });
  op.erase();
}

struct ContractionsToLinalg
    : avila::spirv::impl::ContractionsToLinalgBase<ContractionsToLinalg> {
  void runOnOperation() override {
    SmallVector<ContractionOp> contractions;
    getOperation().walk([&](ContractionOp op) { contractions.push_back(op); });
    for (ContractionOp op : contractions) {
      if (!isa<MemRefType>(op.getInit().getType())) {
        op.emitOpError("must be on buffers (run after bufferization)");
        return signalPassFailure();
      }
      replaceContraction(op);
    }
  }
};

} // namespace
