//===- UkernelCalls.cpp - Calls of the CPU runtime's ukernels -------------===//

#include "compiler/targets/x86/UkernelCalls.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

using namespace mlir;

namespace avila {

LogicalResult checkUkernelOperands(Operation *op) {
  if (op->getNumResults())
    return op->emitOpError("must be bufferized before it becomes a ukernel "
                           "call");
  if (!llvm::all_of(op->getOperandTypes(), [](Type type) {
        return cast<ShapedType>(type).getElementType().isF32();
      }))
    return op->emitOpError("the CPU ukernels take f32 operands only");
  return success();
}

Value UkernelCallEmitter::index(int64_t value) {
  return arith::ConstantIndexOp::create(b, loc, value);
}

BufferView UkernelCallEmitter::describe(Value memref) {
  auto metadata = memref::ExtractStridedMetadataOp::create(b, loc, memref);
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  Value offsetBytes =
      arith::MulIOp::create(b, loc, metadata.getOffset(), index(sizeof(float)));
  return {arith::AddIOp::create(b, loc, base, offsetBytes),
          SmallVector<Value>(metadata.getSizes()),
          SmallVector<Value>(metadata.getStrides())};
}

void UkernelCallEmitter::call(ModuleOp module, cpu::Ukernel ukernel,
                              ArrayRef<Value> params) {
  auto type =
      MemRefType::get({static_cast<int64_t>(params.size())}, b.getIndexType());
  Value array = memref::AllocaOp::create(b, loc, type);
  for (auto [i, param] : llvm::enumerate(params))
    memref::StoreOp::create(b, loc, param, array,
                            ValueRange{index(static_cast<int64_t>(i))});
  Value address = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, array);
  StringRef name = cpu::kUkernelSymbols[static_cast<int>(ukernel)];
  if (!module.lookupSymbol(name)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    func::FuncOp::create(
        b, loc, name, FunctionType::get(b.getContext(), {b.getIndexType()}, {}))
        .setPrivate();
  }
  func::CallOp::create(b, loc, name, TypeRange{}, ValueRange{address});
}

} // namespace avila
