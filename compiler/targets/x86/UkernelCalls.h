//===- UkernelCalls.h - Calls of the CPU runtime's ukernels -----*- C++ -*-===//
//
// What every ukernel call site needs on buffers: the address, sizes and
// element strides of a memref, and a call that passes an int64 parameter
// array laid out as runtime/hal/cpu/ukernels/UkernelAbi.h says.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_X86_UKERNELCALLS_H
#define AVILA_COMPILER_TARGETS_X86_UKERNELCALLS_H

#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

namespace avila {

/// A buffer's first element's address, sizes and element strides.
struct BufferView {
  mlir::Value address;
  llvm::SmallVector<mlir::Value> sizes, strides;
};

/// Emits an error on `op` and fails unless it is on buffers of f32 elements,
/// the only operands the ukernels take.
llvm::LogicalResult checkUkernelOperands(mlir::Operation *op);

class UkernelCallEmitter {
public:
  UkernelCallEmitter(mlir::OpBuilder &b, mlir::Location loc) : b(b), loc(loc) {}

  mlir::Value index(int64_t value);
  /// `memref` must have f32 elements.
  BufferView describe(mlir::Value memref);
  /// Stores `params` in a stack array and calls `ukernel` with its address,
  /// declaring the ukernel in `module` on first use.
  void call(mlir::ModuleOp module, cpu::Ukernel ukernel,
            llvm::ArrayRef<mlir::Value> params);

private:
  mlir::OpBuilder &b;
  mlir::Location loc;
};

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_X86_UKERNELCALLS_H
