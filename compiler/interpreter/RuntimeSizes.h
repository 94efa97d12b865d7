//===- RuntimeSizes.h - The size rules over the interpreter's values -*- C++
//-*-===//
//
// The interpreter's domain for the rules of compiler/dialect/SizeRules.h: an
// op's result shape is its rule evaluated over the shapes and index values it
// actually receives, so the interpreter states no size of its own. Dynamic
// dims meet here for the first time, so `same` checks what the verifiers
// could not, and arithmetic is checked: the first disagreement or overflow
// is kept for the interpreter to report, and later sizes are meaningless.
// The lookups are borrowed: they must outlive the domain.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_INTERPRETER_RUNTIMESIZES_H
#define AVILA_COMPILER_INTERPRETER_RUNTIMESIZES_H

#include "compiler/interpreter/Tensor.h"

#include "mlir/IR/Value.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/MathExtras.h"

#include <optional>
#include <string>

namespace avila::interp {

class RuntimeSizes {
public:
  using Size = int64_t;

  RuntimeSizes(llvm::function_ref<const Shape &(mlir::Value)> shapeOf,
               llvm::function_ref<int64_t(mlir::Value)> indexOf)
      : shapeOf(shapeOf), indexOf(indexOf) {}

  Size dim(mlir::Value tensor, int64_t axis) const {
    return shapeOf(tensor)[axis];
  }
  Size index(mlir::Value size) const { return indexOf(size); }
  Size constant(int64_t value) const { return value; }
  Size add(Size a, Size b) { return checked(llvm::checkedAdd(a, b)); }
  Size sub(Size a, Size b) { return checked(llvm::checkedSub(a, b)); }
  Size mul(Size a, Size b) { return checked(llvm::checkedMul(a, b)); }
  Size floorDiv(Size a, Size b) const { return llvm::divideFloorSigned(a, b); }
  Size same(Size a, Size b) {
    if (a != b && !problem)
      problem = "sizes " + llvm::Twine(a).str() + " and " +
                llvm::Twine(b).str() + " must agree";
    return a;
  }

  /// What went wrong first, if anything.
  const std::optional<std::string> &error() const { return problem; }

private:
  Size checked(std::optional<int64_t> value) {
    if (!value && !problem)
      problem = "size arithmetic overflows";
    return value.value_or(0);
  }

  llvm::function_ref<const Shape &(mlir::Value)> shapeOf;
  llvm::function_ref<int64_t(mlir::Value)> indexOf;
  std::optional<std::string> problem;
};

} // namespace avila::interp

#endif // AVILA_COMPILER_INTERPRETER_RUNTIMESIZES_H
