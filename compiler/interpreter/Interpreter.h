//===- Interpreter.h - Reference interpreter of the avila dialect -*- C++
//-*-===//
//
// Executes an avila function op by op on host tensors. It is the oracle for
// every compiled kernel: slow, simple, and checked against hand-derived values.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_INTERPRETER_INTERPRETER_H
#define AVILA_COMPILER_INTERPRETER_INTERPRETER_H

#include "compiler/interpreter/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <functional>

namespace avila::interp {

/// Supplies the value of an avila.weight: its name, and the shape and element
/// type the graph declares. The interpreter checks the shape of what it gets
/// and rounds the values to the declared element type.
using WeightProvider = std::function<llvm::Expected<Tensor>(
    llvm::StringRef name, const Shape &shape, ElementType type)>;

/// The element type of an MLIR type, or an error for types tensors of the
/// dialect cannot hold.
llvm::Expected<ElementType> toElementType(mlir::Type type);

/// Runs `function` on `arguments`. Every dynamic dimension takes its size
/// from the arguments; any mismatch met on the way is an error naming the op.
llvm::Expected<std::vector<Tensor>> interpret(mlir::func::FuncOp function,
                                              llvm::ArrayRef<Tensor> arguments,
                                              const WeightProvider &weights);

} // namespace avila::interp

#endif // AVILA_COMPILER_INTERPRETER_INTERPRETER_H
