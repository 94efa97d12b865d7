//===- SizeExpressions.cpp - Sizes as expressions over entry inputs -------===//

#include "compiler/artifact/SizeExpressions.h"
#include "compiler/dialect/SizeRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;

namespace avila {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

} // namespace

uint32_t ExprTable::constant(int64_t value) {
  artifact::ExprT expr;
  expr.op = artifact::ExprOp::Constant;
  expr.value = value;
  return add(expr);
}

uint32_t ExprTable::inputDim(uint32_t input, uint32_t axis) {
  artifact::ExprT expr;
  expr.op = artifact::ExprOp::InputDim;
  expr.input = input;
  expr.axis = axis;
  return add(expr);
}

uint32_t ExprTable::binary(artifact::ExprOp op, uint32_t lhs, uint32_t rhs) {
  std::optional<int64_t> a = constantValue(lhs), b = constantValue(rhs);
  if (a && b) {
    switch (op) {
    case artifact::ExprOp::Add:
      return constant(*a + *b);
    case artifact::ExprOp::Sub:
      return constant(*a - *b);
    case artifact::ExprOp::Mul:
      return constant(*a * *b);
    case artifact::ExprOp::FloorDiv:
      if (*b > 0)
        return constant(*a / *b - (*a % *b != 0 && *a < 0));
      break;
    case artifact::ExprOp::CeilDiv:
      if (*b > 0)
        return constant(*a / *b + (*a % *b != 0 && *a > 0));
      break;
    case artifact::ExprOp::Max:
      return constant(std::max(*a, *b));
    default:
      break;
    }
  }
  // x - c is x + (-c); sums of constants gather in one term; 0 and 1
  // vanish. Sizes then read as in0[2] - 2 rather than ((in0[2] + 2) - 3) + 1.
  if (op == artifact::ExprOp::Sub && b)
    return binary(artifact::ExprOp::Add, lhs, constant(-*b));
  if (op == artifact::ExprOp::Add) {
    if (a == 0)
      return rhs;
    if (b == 0)
      return lhs;
    if (b && exprs[lhs].op == artifact::ExprOp::Add)
      if (std::optional<int64_t> inner = constantValue(exprs[lhs].rhs))
        return binary(artifact::ExprOp::Add, exprs[lhs].lhs,
                      constant(*inner + *b));
  }
  if (op == artifact::ExprOp::Mul && a == 1)
    return rhs;
  if ((op == artifact::ExprOp::Mul || op == artifact::ExprOp::FloorDiv) &&
      b == 1)
    return lhs;
  artifact::ExprT expr;
  expr.op = op;
  expr.lhs = lhs;
  expr.rhs = rhs;
  return add(expr);
}

uint32_t ExprTable::product(ArrayRef<uint32_t> factors) {
  uint32_t result = constant(1);
  for (uint32_t factor : factors)
    result = binary(artifact::ExprOp::Mul, result, factor);
  return result;
}

int64_t ExprTable::estimate(uint32_t index, int64_t dim) const {
  const artifact::ExprT &expr = exprs[index];
  auto operand = [&](uint32_t i) { return estimate(i, dim); };
  switch (expr.op) {
  case artifact::ExprOp::Constant:
    return expr.value;
  case artifact::ExprOp::InputDim:
    return dim;
  case artifact::ExprOp::Add:
    return operand(expr.lhs) + operand(expr.rhs);
  case artifact::ExprOp::Sub:
    return operand(expr.lhs) - operand(expr.rhs);
  case artifact::ExprOp::Mul:
    return operand(expr.lhs) * operand(expr.rhs);
  case artifact::ExprOp::FloorDiv:
  case artifact::ExprOp::CeilDiv: {
    const int64_t divisor = std::max<int64_t>(1, operand(expr.rhs));
    return (operand(expr.lhs) +
            (expr.op == artifact::ExprOp::CeilDiv ? divisor - 1 : 0)) /
           divisor;
  }
  case artifact::ExprOp::Max:
    return std::max(operand(expr.lhs), operand(expr.rhs));
  }
  return 0;
}

std::vector<std::unique_ptr<artifact::ExprT>> ExprTable::take() {
  std::vector<std::unique_ptr<artifact::ExprT>> result;
  for (const artifact::ExprT &expr : exprs)
    result.push_back(std::make_unique<artifact::ExprT>(expr));
  return result;
}

std::optional<int64_t> ExprTable::constantValue(uint32_t index) const {
  if (exprs[index].op == artifact::ExprOp::Constant)
    return exprs[index].value;
  return std::nullopt;
}

uint32_t ExprTable::add(const artifact::ExprT &expr) {
  auto key = std::make_tuple(static_cast<int>(expr.op), expr.value, expr.input,
                             expr.axis, expr.lhs, expr.rhs);
  auto [it, inserted] = cache.try_emplace(key, exprs.size());
  if (inserted)
    exprs.push_back(expr);
  return it->second;
}

llvm::Error ShapeEvaluator::evaluate(func::FuncOp function) {
  for (auto [position, argument] : llvm::enumerate(function.getArguments())) {
    auto type = cast<RankedTensorType>(argument.getType());
    Dims dims;
    for (int64_t axis = 0; axis < type.getRank(); ++axis)
      dims.push_back(type.isDynamicDim(axis)
                         ? table.inputDim(position, axis)
                         : table.constant(type.getDimSize(axis)));
    tensors[argument] = dims;
  }
  return evaluateBody(function);
}

llvm::Error ShapeEvaluator::evaluateBody(func::FuncOp function) {
  for (Operation &op : function.getBody().front()) {
    if (isa<func::ReturnOp>(op))
      continue;
    if (auto call = dyn_cast<func::CallOp>(op)) {
      auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          call, call.getCalleeAttr());
      for (auto [argument, operand] :
           llvm::zip(callee.getArguments(), call.getOperands()))
        bind(argument, operand);
      if (auto error = evaluateBody(callee))
        return error;
      auto returned = callee.getBody().front().getTerminator()->getOperands();
      for (auto [result, value] : llvm::zip(call.getResults(), returned))
        bind(result, value);
      continue;
    }
    if (auto error = evaluateOp(&op))
      return error;
  }
  return llvm::Error::success();
}

// (Copies before inserting: an insertion may move the map's storage.)
void ShapeEvaluator::bind(Value to, Value from) {
  if (from.getType().isIndex()) {
    uint32_t value = indices.lookup(from);
    indices[to] = value;
  } else {
    Dims value = tensors.lookup(from);
    tensors[to] = std::move(value);
  }
}

llvm::Error ShapeEvaluator::evaluateOp(Operation *op) {
  using artifact::ExprOp;
  auto idx = [&](unsigned i) { return indices.lookup(op->getOperand(i)); };
  if (op->getNumResults() == 1 && op->getResult(0).getType().isIndex()) {
    std::optional<uint32_t> value =
        llvm::TypeSwitch<Operation *, std::optional<uint32_t>>(op)
            .Case([&](DimOp dim) {
              return this->dim(dim.getInput(), dim.getAxis());
            })
            .Case([&](arith::ConstantIndexOp c) {
              return table.constant(c.value());
            })
            .Case([&](arith::AddIOp) {
              return table.binary(ExprOp::Add, idx(0), idx(1));
            })
            .Case([&](arith::SubIOp) {
              return table.binary(ExprOp::Sub, idx(0), idx(1));
            })
            .Case([&](arith::MulIOp) {
              return table.binary(ExprOp::Mul, idx(0), idx(1));
            })
            .Case([&](arith::FloorDivSIOp) {
              return table.binary(ExprOp::FloorDiv, idx(0), idx(1));
            })
            .Case([&](arith::CeilDivSIOp) {
              return table.binary(ExprOp::CeilDiv, idx(0), idx(1));
            })
            .Default([](Operation *) { return std::nullopt; });
    if (!value)
      return fail("no size rule for '" + op->getName().getStringRef() + "'");
    indices[op->getResult(0)] = *value;
    return llvm::Error::success();
  }

  std::optional<SmallVector<Dims>> results = resultSizes(*this, op);
  if (!results)
    return fail("no size rule for '" + op->getName().getStringRef() + "'");
  // Static sizes of the declared types win.
  for (auto [result, dims] : llvm::zip(op->getResults(), *results)) {
    auto type = cast<RankedTensorType>(result.getType());
    for (int64_t axis = 0; axis < type.getRank(); ++axis)
      if (!type.isDynamicDim(axis))
        dims[axis] = table.constant(type.getDimSize(axis));
    tensors[result] = dims;
  }
  return llvm::Error::success();
}

} // namespace avila
