//===- FusedAttentionToUkernel.cpp - Attention as one ukernel call --------===//
//
// The CPU runtime computes attention without materializing the scores
// (runtime/hal/cpu/ukernels/Attention.h) and addresses every operand
// through element strides, so each avila.fused_attention on buffers becomes
// one call, on the buffers the shared bufferization chose.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/x86/UkernelCalls.h"
#include "compiler/targets/x86/X86Passes.h"

#include <bit>

namespace avila::x86 {
#define GEN_PASS_DEF_FUSEDATTENTIONTOUKERNEL
#include "compiler/targets/x86/X86Passes.h.inc"
} // namespace avila::x86

using namespace mlir;
using namespace avila;

namespace {

void replaceAttention(FusedAttentionOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  UkernelCallEmitter e(b, loc);
  BufferView views[4];
  for (auto [i, operand] : llvm::enumerate(op->getOperands()))
    views[i] = e.describe(operand);

  namespace abi = cpu::attention;
  const int64_t heads = op.getNumHeads();
  const int64_t headDim =
      cast<MemRefType>(op.getQuery().getType()).getDimSize(2) / heads;
  const int64_t valueHeadDim =
      cast<MemRefType>(op.getValue().getType()).getDimSize(2) / heads;
  SmallVector<Value> params(abi::Count);
  params[abi::Batch] = views[0].sizes[0];
  params[abi::Heads] = e.index(heads);
  params[abi::QueryLength] = views[0].sizes[1];
  params[abi::KeyLength] = views[1].sizes[1];
  params[abi::HeadDim] = e.index(headDim);
  params[abi::ValueHeadDim] = e.index(valueHeadDim);
  params[abi::ScaleBits] = e.index(std::bit_cast<uint32_t>(
      static_cast<float>(op.getScale().convertToDouble())));
  // [B, L, H·D] read as (batch, position, head, channel).
  const int64_t perHead[4] = {headDim, headDim, valueHeadDim, valueHeadDim};
  for (int operand = 0; operand < 4; ++operand) {
    const BufferView &view = views[operand];
    params[abi::Query + operand] = view.address;
    const int first = abi::QueryStrides + 4 * operand;
    params[first] = view.strides[0];
    params[first + 1] = view.strides[1];
    params[first + 2] = arith::MulIOp::create(b, loc, view.strides[2],
                                              e.index(perHead[operand]));
    params[first + 3] = view.strides[2];
  }
  e.call(op->getParentOfType<ModuleOp>(), cpu::Ukernel::Attention, params);
  op.erase();
}

struct FusedAttentionToUkernel
    : avila::x86::impl::FusedAttentionToUkernelBase<FusedAttentionToUkernel> {
  void runOnOperation() override {
    SmallVector<FusedAttentionOp> attentions;
    getOperation().walk([&](FusedAttentionOp op) { attentions.push_back(op); });
    for (FusedAttentionOp op : attentions) {
      if (failed(checkUkernelOperands(op)))
        return signalPassFailure();
      replaceAttention(op);
    }
  }
};

} // namespace
