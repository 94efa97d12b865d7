//===- DestinationStyleBufferization.cpp - Kernel ops on buffers ----------===//

#include "compiler/transforms/DestinationStyleBufferization.h"
#include "compiler/dialect/AvilaOps.h"

#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace avila {

namespace {

// Reads every operand, writes the init in place; the result is the init.
// The op on buffers is the same op, with the same attributes and no result.
template <typename OpTy>
struct DestinationStyleBufferization
    : DstBufferizableOpInterfaceExternalModel<
          DestinationStyleBufferization<OpTy>, OpTy> {
  LogicalResult bufferize(Operation *op, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    SmallVector<Value, 4> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    OperationState onBuffers(op->getLoc(), op->getName(), buffers, TypeRange{},
                             op->getAttrs());
    rewriter.create(onBuffers);
    Value init =
        buffers[cast<OpTy>(op).getDpsInitOperand(0)->getOperandNumber()];
    replaceOpWithBufferizedValues(rewriter, op, init);
    return success();
  }
};

} // namespace

void registerDestinationStyleBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, AvilaDialect *) {
    ContractionOp::attachInterface<
        DestinationStyleBufferization<ContractionOp>>(*context);
    FusedAttentionOp::attachInterface<
        DestinationStyleBufferization<FusedAttentionOp>>(*context);
    FusedGroupNormOp::attachInterface<
        DestinationStyleBufferization<FusedGroupNormOp>>(*context);
  });
}

} // namespace avila
