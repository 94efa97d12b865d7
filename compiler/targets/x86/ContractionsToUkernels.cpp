//===- ContractionsToUkernels.cpp - Contractions as runtime ukernel calls -===//
//
// The CPU runtime's contraction ukernels (packed, register-tiled,
// vectorized, threaded) address every operand through element strides, so
// views from reshapes and head splits need no copies: each avila.contraction
// on buffers becomes one call, its roles read from the op.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "compiler/targets/x86/UkernelCalls.h"
#include "compiler/targets/x86/X86Passes.h"

namespace avila::x86 {
#define GEN_PASS_DEF_CONTRACTIONSTOUKERNELS
#include "compiler/targets/x86/X86Passes.h.inc"
} // namespace avila::x86

using namespace mlir;
using namespace avila;

namespace {

using cpu::Ukernel;

void replaceConvolution(ContractionOp op) {
  OpBuilder b(op);
  UkernelCallEmitter e(b, op.getLoc());
  BufferView input = e.describe(op.getLhs());
  BufferView weight = e.describe(op.getRhs());
  BufferView output = e.describe(op.getInit());
  using namespace cpu::conv2d;
  SmallVector<Value> params(Count);
  params[Input] = input.address;
  params[Weight] = weight.address;
  params[Output] = output.address;
  params[Batch] = output.sizes[0];
  params[OutChannels] = output.sizes[1];
  params[InChannels] = weight.sizes[1];
  params[KernelH] = weight.sizes[2];
  params[KernelW] = weight.sizes[3];
  params[OutH] = output.sizes[2];
  params[OutW] = output.sizes[3];
  params[StrideH] = e.index(op.getWindowStrides()[0]);
  params[StrideW] = e.index(op.getWindowStrides()[1]);
  for (int i = 0; i < 4; ++i) {
    params[InputStrideN + i] = input.strides[i];
    params[WeightStrideO + i] = weight.strides[i];
    params[OutputStrideN + i] = output.strides[i];
  }
  e.call(op->getParentOfType<ModuleOp>(), Ukernel::Conv2D, params);
  op.erase();
}

void replaceMatmul(ContractionOp op) {
  OpBuilder b(op);
  UkernelCallEmitter e(b, op.getLoc());
  SmallVector<AffineMap> maps = op.getMaps();
  BufferView buffers[3] = {e.describe(op.getLhs()), e.describe(op.getRhs()),
                           e.describe(op.getInit())};
  Value zero = e.index(0), one = e.index(1);
  auto position = [&](int operand, int64_t d) {
    return maps[operand].getResultPosition(
        getAffineDimExpr(d, op.getContext()));
  };
  auto stride = [&](int operand, int64_t d) -> Value {
    if (d < 0)
      return zero;
    std::optional<unsigned> p = position(operand, d);
    return p ? buffers[operand].strides[*p] : zero;
  };
  auto size = [&](int64_t d) -> Value {
    if (d < 0)
      return one;
    for (int operand = 0; operand < 3; ++operand)
      if (std::optional<unsigned> p = position(operand, d))
        return buffers[operand].sizes[*p];
    llvm_unreachable("the verifier: every loop indexes some operand");
  };
  int64_t batch[3] = {-1, -1, -1};
  llvm::copy(op.getBatchDims(), batch);

  using namespace cpu::matmul;
  SmallVector<Value> params(Count);
  params[A] = buffers[0].address;
  params[B] = buffers[1].address;
  params[C] = buffers[2].address;
  for (int i = 0; i < 3; ++i) {
    params[Batch0 + i] = size(batch[i]);
    params[AStrideBatch0 + i] = stride(0, batch[i]);
    params[BStrideBatch0 + i] = stride(1, batch[i]);
    params[CStrideBatch0 + i] = stride(2, batch[i]);
  }
  params[M] = size(op.getMDim());
  params[N] = size(op.getNDim());
  params[K] = size(op.getKDim());
  params[AStrideM] = stride(0, op.getMDim());
  params[AStrideK] = stride(0, op.getKDim());
  params[BStrideK] = stride(1, op.getKDim());
  params[BStrideN] = stride(1, op.getNDim());
  params[CStrideM] = stride(2, op.getMDim());
  params[CStrideN] = stride(2, op.getNDim());
  e.call(op->getParentOfType<ModuleOp>(), Ukernel::Matmul, params);
  op.erase();
}

struct ContractionsToUkernels
    : avila::x86::impl::ContractionsToUkernelsBase<ContractionsToUkernels> {
  void runOnOperation() override {
    SmallVector<ContractionOp> contractions;
    getOperation().walk([&](ContractionOp op) { contractions.push_back(op); });
    for (ContractionOp op : contractions) {
      if (failed(checkUkernelOperands(op)))
        return signalPassFailure();
      if (op.getKind() == "conv2d")
        replaceConvolution(op);
      else
        replaceMatmul(op);
    }
  }
};

} // namespace
