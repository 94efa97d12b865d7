//===- AttentionUkernel.cpp - Attention as one CPU ukernel call -----------===//

#include "compiler/targets/x86/AttentionUkernel.h"
#include "compiler/dialect/AvilaDialect.h"
#include "compiler/targets/x86/UkernelCalls.h"
#include "compiler/transforms/WholeAttention.h"

#include "mlir/Dialect/Bufferization/IR/BufferizableOpInterface.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#include <bit>

using namespace mlir;
using namespace mlir::bufferization;

namespace avila {

namespace {

// Reads q, k and v; the result is a fresh buffer the ukernel fills.
struct AttentionBufferization
    : BufferizableOpInterface::ExternalModel<AttentionBufferization,
                                             AttentionOp> {
  bool bufferizesToMemoryRead(Operation *, OpOperand &,
                              const AnalysisState &) const {
    return true;
  }
  bool bufferizesToMemoryWrite(Operation *, OpOperand &,
                               const AnalysisState &) const {
    return false;
  }
  AliasingValueList getAliasingValues(Operation *, OpOperand &,
                                      const AnalysisState &) const {
    return {};
  }
  bool bufferizesToAllocation(Operation *, Value) const { return true; }

  LogicalResult bufferize(Operation *operation, RewriterBase &rewriter,
                          const BufferizationOptions &options,
                          BufferizationState &state) const {
    auto op = cast<AttentionOp>(operation);
    if (!runsAsWholeAttention(op))
      return op.emitError("this attention needs the linalg lowering");
    Location loc = op.getLoc();
    UkernelCallEmitter e(rewriter, loc);
    BufferView views[4];
    const SmallVector<Value, 3> operands = {op.getQuery(), op.getKey(),
                                            op.getValue()};
    for (auto [i, operand] : llvm::enumerate(operands)) {
      FailureOr<Value> buffer = getBuffer(rewriter, operand, options, state);
      if (failed(buffer))
        return failure();
      views[i] = e.describe(*buffer);
    }
    RankedTensorType type = op.getType();
    SmallVector<Value> dynamicSizes;
    for (int64_t axis : {0, 1})
      if (type.isDynamicDim(axis))
        dynamicSizes.push_back(views[0].sizes[axis]);
    FailureOr<Value> output = options.createAlloc(
        rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
        dynamicSizes);
    if (failed(output))
      return failure();
    views[3] = e.describe(*output);

    namespace abi = cpu::attention;
    const int64_t heads = op.getNumHeads();
    const int64_t headDim = op.getQuery().getType().getDimSize(2) / heads;
    const int64_t valueHeadDim = type.getDimSize(2) / heads;
    SmallVector<Value> params(abi::Count);
    params[abi::Batch] = views[0].sizes[0];
    params[abi::Heads] = e.index(heads);
    params[abi::QueryLength] = views[0].sizes[1];
    params[abi::KeyLength] = views[1].sizes[1];
    params[abi::HeadDim] = e.index(headDim);
    params[abi::ValueHeadDim] = e.index(valueHeadDim);
    params[abi::ScaleBits] = e.index(
        std::bit_cast<uint32_t>(static_cast<float>(*op.getEffectiveScale())));
    // [B, L, H·D] read as (batch, position, head, channel).
    const int64_t perHead[4] = {headDim, headDim, valueHeadDim, valueHeadDim};
    for (int operand = 0; operand < 4; ++operand) {
      const BufferView &view = views[operand];
      params[abi::Query + operand] = view.address;
      const int first = abi::QueryStrides + 4 * operand;
      params[first] = view.strides[0];
      params[first + 1] = view.strides[1];
      params[first + 2] = arith::MulIOp::create(rewriter, loc, view.strides[2],
                                                e.index(perHead[operand]));
      params[first + 3] = view.strides[2];
    }
    e.call(op->getParentOfType<ModuleOp>(), cpu::Ukernel::Attention, params);
    replaceOpWithBufferizedValues(rewriter, op, *output);
    return success();
  }
};

} // namespace

void registerAttentionUkernelBufferization(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, AvilaDialect *) {
    AttentionOp::attachInterface<AttentionBufferization>(*context);
  });
}

} // namespace avila
