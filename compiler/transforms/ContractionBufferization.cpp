//===- ContractionBufferization.cpp - avila.contraction on buffers --------===//

#include "compiler/transforms/ContractionBufferization.h"
#include "compiler/dialect/AvilaOps.h"

#include "mlir/Dialect/Bufferization/IR/DstBufferizableOpInterfaceImpl.h"

using namespace mlir;
using namespace mlir::bufferization;

namespace avila {

namespace {

// Reads lhs, rhs and init, writes init in place; the result is the init.
struct ContractionBufferization
    : DstBufferizableOpInterfaceExternalModel<ContractionBufferization,
                                              ContractionOp> {
  LogicalResult bufferize(Operation *operation, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto op = cast<ContractionOp>(operation);
    SmallVector<Value, 3> buffers;
    for (Value operand : op->getOperands()) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      buffers.push_back(*buffer);
    }
    auto onBuffers = ContractionOp::create(rewriter, op.getLoc(), TypeRange{},
                                           buffers[0], buffers[1], buffers[2],
                                           op.getKind(), op.getIndexingMaps());
    onBuffers->setAttrs(op->getAttrs());
    replaceOpWithBufferizedValues(rewriter, op, buffers[2]);
    return success();
  }
};

} // namespace

void registerContractionBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, AvilaDialect *) {
    ContractionOp::attachInterface<ContractionBufferization>(*context);
  });
}

} // namespace avila
