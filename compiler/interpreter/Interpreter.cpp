//===- Interpreter.cpp - Reference interpreter of the avila dialect -------===//

#include "compiler/interpreter/Interpreter.h"
#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/SizeRules.h"
#include "compiler/interpreter/Kernels.h"
#include "compiler/interpreter/RuntimeSizes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

#include <variant>

using namespace mlir;

namespace avila::interp {

namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

std::string describe(Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "'" << op->getName() << "' at ";
  if (auto fileLoc = dyn_cast<FileLineColLoc>(op->getLoc()))
    os << fileLoc.getFilename().getValue() << ":" << fileLoc.getLine() << ":"
       << fileLoc.getColumn();
  else
    os << op->getLoc();
  return text;
}

// Whether `shape` fits `type`: same rank, and equal wherever `type` is static.
bool fits(const Shape &shape, RankedTensorType type) {
  if (static_cast<int64_t>(shape.size()) != type.getRank())
    return false;
  for (auto [actual, declared] : llvm::zip(shape, type.getShape()))
    if (!ShapedType::isDynamic(declared) && actual != declared)
      return false;
  return true;
}

std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

std::array<int64_t, 2> pair(ArrayRef<int64_t> values) {
  return {values[0], values[1]};
}

class Interpreter {
public:
  explicit Interpreter(const WeightProvider &weights) : weights(weights) {}

  llvm::Expected<std::vector<Tensor>> run(func::FuncOp function,
                                          ArrayRef<Tensor> arguments);

private:
  using RuntimeValue = std::variant<Tensor, int64_t>;

  llvm::Error execute(Operation *op);
  llvm::Expected<std::vector<Tensor>> evaluate(Operation *op);
  llvm::Expected<Tensor> evaluateWeight(WeightOp op);
  llvm::Expected<Tensor> evaluateConstant(ConstantOp op);
  llvm::Error evaluateIndex(Operation *op);
  llvm::Expected<std::vector<Shape>> resultShapes(Operation *op);

  const Tensor &tensor(Value value) const {
    return std::get<Tensor>(values.find(value)->second);
  }
  const Tensor *optionalTensor(Value value) const {
    return value ? &tensor(value) : nullptr;
  }
  int64_t index(Value value) const {
    return std::get<int64_t>(values.find(value)->second);
  }

  const WeightProvider &weights;
  llvm::DenseMap<Value, RuntimeValue> values;
};

llvm::Expected<std::vector<Tensor>>
Interpreter::run(func::FuncOp function, ArrayRef<Tensor> arguments) {
  if (function.isExternal() || !function.getBody().hasOneBlock())
    return fail("function '" + function.getSymName() +
                "' must have a body of exactly one block");
  Block &body = function.getBody().front();
  if (arguments.size() != body.getNumArguments())
    return fail("function '" + function.getSymName() + "' takes " +
                llvm::Twine(body.getNumArguments()) + " arguments, got " +
                llvm::Twine(arguments.size()));
  for (auto [position, argument, tensorValue] :
       llvm::enumerate(body.getArguments(), arguments)) {
    auto type = dyn_cast<RankedTensorType>(argument.getType());
    if (!type)
      return fail("argument " + llvm::Twine(position) +
                  " is not a ranked tensor");
    auto elementType = toElementType(type.getElementType());
    if (!elementType)
      return elementType.takeError();
    if (*elementType != tensorValue.elementType ||
        !fits(tensorValue.shape, type))
      return fail("argument " + llvm::Twine(position) + " is " +
                  shapeString(tensorValue.shape) + "x" +
                  elementTypeName(tensorValue.elementType) +
                  " but the function expects " + typeString(type));
    const size_t expected = static_cast<size_t>(tensorValue.numElements());
    if ((isFloat(*elementType) ? tensorValue.floats.size()
                               : tensorValue.ints.size()) != expected)
      return fail("argument " + llvm::Twine(position) +
                  " holds the wrong number of values");
    Tensor copy = tensorValue;
    copy.roundValues();
    values.try_emplace(argument, std::move(copy));
  }
  for (Operation &op : body.without_terminator())
    if (auto error = execute(&op))
      return std::move(error);
  std::vector<Tensor> results;
  for (Value result : body.getTerminator()->getOperands()) {
    if (!isa<RankedTensorType>(result.getType()))
      return fail("function results must be tensors, got " +
                  typeString(result.getType()));
    results.push_back(tensor(result));
  }
  return results;
}

llvm::Error Interpreter::execute(Operation *op) {
  if (op->getNumResults() == 1 && op->getResult(0).getType().isIndex())
    return evaluateIndex(op);
  auto results = evaluate(op);
  if (!results)
    return fail(describe(op) + ": " + llvm::toString(results.takeError()));
  for (auto [result, tensorValue] : llvm::zip(op->getResults(), *results)) {
    auto type = cast<RankedTensorType>(result.getType());
    if (!fits(tensorValue.shape, type))
      return fail(describe(op) + ": computed shape " +
                  shapeString(tensorValue.shape) +
                  " does not fit the declared " + typeString(type));
    auto elementType = toElementType(type.getElementType());
    if (!elementType)
      return elementType.takeError();
    tensorValue.elementType = *elementType;
    tensorValue.roundValues();
    values.try_emplace(result, std::move(tensorValue));
  }
  return llvm::Error::success();
}

llvm::Error Interpreter::evaluateIndex(Operation *op) {
  auto binary = [&](auto combine) -> llvm::Expected<int64_t> {
    std::optional<int64_t> value =
        combine(index(op->getOperand(0)), index(op->getOperand(1)));
    if (!value)
      return fail(describe(op) + ": index arithmetic overflows");
    return *value;
  };
  auto checkedDivide = [&](auto divide) -> llvm::Expected<int64_t> {
    int64_t divisor = index(op->getOperand(1));
    if (divisor == 0)
      return fail(describe(op) + ": division by zero");
    return divide(index(op->getOperand(0)), divisor);
  };
  llvm::Expected<int64_t> value =
      llvm::TypeSwitch<Operation *, llvm::Expected<int64_t>>(op)
          .Case([&](DimOp dim) -> llvm::Expected<int64_t> {
            return tensor(dim.getInput()).shape[dim.getAxis()];
          })
          .Case(
              [&](arith::ConstantIndexOp constant) -> llvm::Expected<int64_t> {
                return constant.value();
              })
          .Case(
              [&](arith::AddIOp) { return binary(llvm::checkedAdd<int64_t>); })
          .Case(
              [&](arith::SubIOp) { return binary(llvm::checkedSub<int64_t>); })
          .Case(
              [&](arith::MulIOp) { return binary(llvm::checkedMul<int64_t>); })
          .Case([&](arith::FloorDivSIOp) {
            return checkedDivide([](int64_t a, int64_t b) {
              return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
            });
          })
          .Case([&](arith::CeilDivSIOp) {
            return checkedDivide([](int64_t a, int64_t b) {
              return a / b + ((a % b != 0) && ((a < 0) == (b < 0)));
            });
          })
          .Default([&](Operation *) -> llvm::Expected<int64_t> {
            return fail(describe(op) +
                        ": the interpreter does not support this index op");
          });
  if (!value)
    return value.takeError();
  values.try_emplace(op->getResult(0), *value);
  return llvm::Error::success();
}

llvm::Expected<Tensor> Interpreter::evaluateWeight(WeightOp op) {
  RankedTensorType type = op.getType();
  auto elementType = toElementType(type.getElementType());
  if (!elementType)
    return elementType.takeError();
  Shape shape(type.getShape());
  if (!weights)
    return fail("no weights were provided for '" + op.getName() + "'");
  auto weight = weights(op.getName(), shape, *elementType);
  if (!weight)
    return weight.takeError();
  if (weight->shape != shape || !isFloat(weight->elementType) ||
      static_cast<int64_t>(weight->floats.size()) != numElements(shape))
    return fail("weight '" + op.getName() + "' has shape " +
                shapeString(weight->shape) + ", the graph expects " +
                shapeString(shape));
  return std::move(*weight);
}

llvm::Expected<Tensor> Interpreter::evaluateConstant(ConstantOp op) {
  auto type = cast<RankedTensorType>(op.getType());
  auto elementType = toElementType(type.getElementType());
  if (!elementType)
    return elementType.takeError();
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense)
    return fail("only dense constants can be interpreted");
  Shape shape(type.getShape());
  if (isFloat(*elementType)) {
    std::vector<float> data;
    for (const APFloat &value : dense.getValues<APFloat>())
      data.push_back(static_cast<float>(value.convertToDouble()));
    return Tensor::fromFloats(*elementType, shape, std::move(data));
  }
  std::vector<int64_t> data;
  for (const APInt &value : dense.getValues<APInt>())
    data.push_back(value.getSExtValue());
  return Tensor::fromInts(*elementType, shape, std::move(data));
}

// The op's size rule over the shapes and indices it receives.
llvm::Expected<std::vector<Shape>> Interpreter::resultShapes(Operation *op) {
  auto shapeOf = [&](Value value) -> const Shape & {
    return tensor(value).shape;
  };
  auto indexOf = [&](Value value) { return index(value); };
  RuntimeSizes sizes(shapeOf, indexOf);
  auto results = resultSizes(sizes, op);
  assert(results && "every op the interpreter shapes has a size rule");
  if (const auto &problem = sizes.error()) {
    std::string operands;
    for (Value operand : op->getOperands())
      if (isa<RankedTensorType>(operand.getType()))
        operands +=
            (operands.empty() ? "" : ", ") + shapeString(tensor(operand).shape);
    return fail("operands " + operands + ": " + *problem);
  }
  std::vector<Shape> shapes;
  for (const auto &result : *results)
    shapes.emplace_back(result.begin(), result.end());
  return shapes;
}

llvm::Expected<std::vector<Tensor>> Interpreter::evaluate(Operation *op) {
  using Result = llvm::Expected<std::vector<Tensor>>;
  auto one = [](llvm::Expected<Tensor> value) -> Result {
    if (!value)
      return value.takeError();
    std::vector<Tensor> results;
    results.push_back(std::move(*value));
    return results;
  };
  auto unaryOp = [&](UnaryKind kind) {
    return one(unary(kind, tensor(op->getOperand(0))));
  };
  // Runs `kernel` on the op's one result shape by its rule.
  auto shaped = [&](auto kernel) -> Result {
    auto shapes = resultShapes(op);
    if (!shapes)
      return shapes.takeError();
    return one(kernel(shapes->front()));
  };
  // Broadcasting keeps its own shapes: a dynamic size that is 1 at run time
  // stretches (docs/dialect.md), which the rule does not express.
  auto binaryOp = [&](BinaryKind kind) {
    return one(
        binary(kind, tensor(op->getOperand(0)), tensor(op->getOperand(1))));
  };
  return llvm::TypeSwitch<Operation *, Result>(op)
      .Case([&](WeightOp weight) { return one(evaluateWeight(weight)); })
      .Case(
          [&](ConstantOp constant) { return one(evaluateConstant(constant)); })
      .Case([&](Conv2DOp conv) {
        Conv2DParams params;
        params.stride = pair(conv.getStride());
        ArrayRef<int64_t> padding = conv.getPadding();
        params.padding = {padding[0], padding[1], padding[2], padding[3]};
        params.groups = static_cast<int64_t>(conv.getGroups());
        return shaped([&](const Shape &shape) {
          return conv2d(tensor(conv.getInput()), tensor(conv.getWeight()),
                        optionalTensor(conv.getBias()), params, shape);
        });
      })
      .Case([&](LinearOp linearOp) {
        return shaped([&](const Shape &shape) {
          return linear(tensor(linearOp.getInput()),
                        tensor(linearOp.getWeight()),
                        optionalTensor(linearOp.getBias()), shape);
        });
      })
      .Case([&](MatmulOp matmulOp) {
        return shaped([&](const Shape &shape) {
          return matmul(tensor(matmulOp.getLhs()), tensor(matmulOp.getRhs()),
                        shape);
        });
      })
      .Case([&](AttentionOp attentionOp) {
        AttentionParams params;
        params.numHeads = static_cast<int64_t>(attentionOp.getNumHeads());
        params.causal = attentionOp.getCausal();
        if (auto scale = attentionOp.getScale())
          params.scale = scale->convertToDouble();
        return shaped([&](const Shape &shape) {
          return attention(
              tensor(attentionOp.getQuery()), tensor(attentionOp.getKey()),
              tensor(attentionOp.getValue()),
              optionalTensor(attentionOp.getMask()), params, shape);
        });
      })
      .Case([&](GroupNormOp norm) {
        return one(groupNorm(tensor(norm.getInput()), tensor(norm.getGamma()),
                             tensor(norm.getBeta()),
                             static_cast<int64_t>(norm.getNumGroups()),
                             norm.getEpsilon().convertToDouble()));
      })
      .Case([&](LayerNormOp norm) {
        return one(layerNorm(tensor(norm.getInput()), tensor(norm.getGamma()),
                             tensor(norm.getBeta()),
                             norm.getEpsilon().convertToDouble()));
      })
      .Case([&](SoftmaxOp softmaxOp) {
        return one(softmax(tensor(softmaxOp.getInput()),
                           static_cast<int64_t>(softmaxOp.getAxis())));
      })
      .Case([&](GeluOp gelu) {
        return unaryOp(gelu.getTanh() ? UnaryKind::GeluTanh : UnaryKind::Gelu);
      })
      .Case([&](QuickGeluOp) { return unaryOp(UnaryKind::QuickGelu); })
      .Case([&](SiluOp) { return unaryOp(UnaryKind::Silu); })
      .Case([&](SigmoidOp) { return unaryOp(UnaryKind::Sigmoid); })
      .Case([&](TanhOp) { return unaryOp(UnaryKind::Tanh); })
      .Case([&](ExpOp) { return unaryOp(UnaryKind::Exp); })
      .Case([&](SqrtOp) { return unaryOp(UnaryKind::Sqrt); })
      .Case([&](RsqrtOp) { return unaryOp(UnaryKind::Rsqrt); })
      .Case([&](GegluOp gegluOp) {
        return shaped([&](const Shape &shape) {
          return geglu(tensor(gegluOp.getInput()), shape);
        });
      })
      .Case([&](AddOp) { return binaryOp(BinaryKind::Add); })
      .Case([&](SubOp) { return binaryOp(BinaryKind::Sub); })
      .Case([&](MulOp) { return binaryOp(BinaryKind::Mul); })
      .Case([&](DivOp) { return binaryOp(BinaryKind::Div); })
      .Case([&](AddScalarOp add) {
        return one(affineScalar(tensor(add.getInput()), 1.0,
                                add.getScalar().convertToDouble()));
      })
      .Case([&](MulScalarOp mul) {
        return one(affineScalar(tensor(mul.getInput()),
                                mul.getScalar().convertToDouble(), 0.0));
      })
      .Case([&](ClampOp clampOp) {
        return one(clamp(tensor(clampOp.getInput()),
                         clampOp.getMin().convertToDouble(),
                         clampOp.getMax().convertToDouble()));
      })
      .Case([&](CastOp cast) { return one(tensor(cast.getInput())); })
      .Case([&](ConcatOp concatOp) {
        SmallVector<const Tensor *> inputs;
        for (Value input : concatOp.getInputs())
          inputs.push_back(&tensor(input));
        return shaped([&](const Shape &shape) {
          return concat(inputs, static_cast<int64_t>(concatOp.getAxis()),
                        shape);
        });
      })
      .Case([&](SliceOp sliceOp) {
        return shaped([&](const Shape &shape) {
          return slice(tensor(sliceOp.getInput()),
                       static_cast<int64_t>(sliceOp.getAxis()),
                       static_cast<int64_t>(sliceOp.getStart()),
                       static_cast<int64_t>(sliceOp.getEnd()), shape);
        });
      })
      .Case([&](SplitOp splitOp) -> Result {
        auto shapes = resultShapes(splitOp);
        if (!shapes)
          return shapes.takeError();
        return split(tensor(splitOp.getInput()),
                     static_cast<int64_t>(splitOp.getAxis()),
                     splitOp.getNumResults(), shapes->front());
      })
      .Case([&](ReshapeOp reshapeOp) {
        return shaped([&](const Shape &shape) {
          return reshape(tensor(reshapeOp.getInput()), shape);
        });
      })
      .Case([&](TransposeOp transposeOp) {
        return shaped([&](const Shape &shape) {
          return transpose(tensor(transposeOp.getInput()),
                           transposeOp.getPerm(), shape);
        });
      })
      .Case([&](UpsampleNearestOp upsample) {
        return shaped([&](const Shape &shape) {
          return upsampleNearest(tensor(upsample.getInput()), shape);
        });
      })
      .Case([&](AvgPool2DOp pool) {
        return shaped([&](const Shape &shape) {
          return avgPool2d(tensor(pool.getInput()), pair(pool.getKernel()),
                           pair(pool.getStride()), shape);
        });
      })
      .Case([&](GatherOp gatherOp) {
        return shaped([&](const Shape &shape) {
          return gather(tensor(gatherOp.getTable()), tensor(gatherOp.getIds()),
                        shape);
        });
      })
      .Case([&](TimestepEmbeddingOp embedding) {
        TimestepEmbeddingParams params;
        params.dim = static_cast<int64_t>(embedding.getDim());
        params.flipSinToCos = embedding.getFlipSinToCos();
        params.shift = embedding.getShift().convertToDouble();
        params.maxPeriod = embedding.getMaxPeriod().convertToDouble();
        params.scale = embedding.getScale().convertToDouble();
        return one(timestepEmbedding(tensor(embedding.getInput()), params));
      })
      .Default([&](Operation *) -> Result {
        return fail("the interpreter does not support this op");
      });
}

} // namespace

llvm::Expected<ElementType> toElementType(Type type) {
  if (type.isF32())
    return ElementType::F32;
  if (type.isF16())
    return ElementType::F16;
  if (type.isBF16())
    return ElementType::BF16;
  if (type.isSignlessInteger(32))
    return ElementType::I32;
  if (type.isSignlessInteger(64))
    return ElementType::I64;
  return fail("unsupported element type " + typeString(type));
}

llvm::Expected<std::vector<Tensor>> interpret(func::FuncOp function,
                                              ArrayRef<Tensor> arguments,
                                              const WeightProvider &weights) {
  return Interpreter(weights).run(function, arguments);
}

} // namespace avila::interp
