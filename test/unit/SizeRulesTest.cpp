//===- SizeRulesTest.cpp - One size rule, the same sizes in every domain --===//
//
// Each op kind is built on random shapes and its result sizes are taken in
// the domains of SizeRules.h: type inference on static shapes, the
// artifact's size expressions over dynamic inputs (evaluated with the real
// sizes), the lowering's index values on dynamic tensors folded back to
// constants by canonicalization, and the interpreter's results (the rule in
// its run-time domain). All must agree.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/SizeRules.h"
#include "compiler/artifact/SizeExpressions.h"
#include "compiler/dialect/AvilaDialect.h"
#include "compiler/dialect/AvilaOps.h"
#include "compiler/dialect/MixedSizes.h"
#include "compiler/interpreter/Interpreter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace avila::test {
namespace {

using namespace mlir;
using Shape = SmallVector<int64_t>;

// One random instance of an op kind: its operands' true shapes, which of
// them may be dynamic (activations; parameters stay static as in the
// models), and how to build it. `resultTypes` is given for ops that do not
// infer their type.
struct Instance {
  std::vector<Shape> operands;
  std::vector<bool> activation;
  std::vector<Type> elementTypes;
  std::function<Operation *(OpBuilder &, Location, ValueRange,
                            ArrayRef<Type> operandTypes)>
      build;
};

class Random {
public:
  explicit Random(unsigned seed) : engine(seed) {}
  int64_t between(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  bool coin() { return between(0, 1) == 1; }
  Shape shape(int64_t rank, int64_t lo = 1, int64_t hi = 6) {
    Shape result;
    for (int64_t i = 0; i < rank; ++i)
      result.push_back(between(lo, hi));
    return result;
  }

private:
  std::mt19937 engine;
};

using Kind = std::function<Instance(Random &)>;

Instance conv2d(Random &random) {
  const int64_t groups = random.between(1, 2);
  const int64_t kh = random.between(1, 3), kw = random.between(1, 3);
  Shape padding = random.shape(4, 0, 2), stride = random.shape(2, 1, 3);
  Shape input = {random.between(1, 3), groups * random.between(1, 3),
                 random.between(kh, 12), random.between(kw, 12)};
  Shape weight = {groups * random.between(1, 3), input[1] / groups, kh, kw};
  Instance instance{{input, weight}, {true, false}, {}, nullptr};
  const bool bias = random.coin();
  if (bias) {
    instance.operands.push_back({weight[0]});
    instance.activation.push_back(false);
  }
  instance.build = [=](OpBuilder &b, Location loc, ValueRange args,
                       ArrayRef<Type>) {
    return Conv2DOp::create(b, loc, args[0], args[1], bias ? args[2] : Value(),
                            stride, padding, groups)
        .getOperation();
  };
  return instance;
}

Instance linear(Random &random) {
  Shape input = random.shape(random.between(1, 3));
  Shape weight = {random.between(1, 6), input.back()};
  return {{input, weight},
          {true, false},
          {},
          [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return LinearOp::create(b, loc, args[0], args[1], Value())
                .getOperation();
          }};
}

Instance matmul(Random &random) {
  Shape lhs = random.shape(random.between(2, 4));
  Shape rhs(lhs);
  rhs[rhs.size() - 2] = lhs.back();
  rhs.back() = random.between(1, 6);
  return {{lhs, rhs},
          {true, true},
          {},
          [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return MatmulOp::create(b, loc, args[0], args[1]).getOperation();
          }};
}

Instance attention(Random &random) {
  const int64_t batch = random.between(1, 3), heads = random.between(1, 3);
  const int64_t queries = random.between(1, 6), keys = random.between(1, 6);
  Shape query = {batch, queries, heads * random.between(1, 3)};
  Shape key = {batch, keys, query[2]};
  Shape value = {batch, keys, heads * random.between(1, 3)};
  Instance instance{{query, key, value}, {true, true, true}, {}, nullptr};
  const bool mask = random.coin();
  if (mask) {
    instance.operands.push_back(random.coin() ? Shape{queries, keys}
                                              : Shape{batch, queries, keys});
    instance.activation.push_back(true);
  }
  instance.build = [=](OpBuilder &b, Location loc, ValueRange args,
                       ArrayRef<Type>) {
    return AttentionOp::create(
               b, loc, args[0], args[1], args[2], mask ? args[3] : Value(),
               b.getI64IntegerAttr(heads), UnitAttr(), FloatAttr())
        .getOperation();
  };
  return instance;
}

Instance geglu(Random &random) {
  Shape input = random.shape(random.between(1, 3));
  input.back() *= 2;
  return {{input},
          {true},
          {},
          [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return GegluOp::create(b, loc, args[0]).getOperation();
          }};
}

Instance concat(Random &random) {
  const int64_t rank = random.between(1, 3), axis = random.between(0, rank - 1);
  Shape first = random.shape(rank);
  Instance instance{{}, {}, {}, nullptr};
  for (int64_t i = 0, count = random.between(2, 3); i < count; ++i) {
    Shape input(first);
    input[axis] = random.between(1, 6);
    instance.operands.push_back(input);
    instance.activation.push_back(true);
  }
  instance.build = [=](OpBuilder &b, Location loc, ValueRange args,
                       ArrayRef<Type>) {
    return ConcatOp::create(b, loc, args, axis).getOperation();
  };
  return instance;
}

Instance slice(Random &random) {
  Shape input = random.shape(random.between(1, 3));
  const int64_t axis = random.between(0, input.size() - 1);
  const int64_t start = random.between(0, input[axis] - 1);
  const int64_t end = random.between(start + 1, input[axis]);
  return {{input},
          {true},
          {},
          [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return SliceOp::create(b, loc, args[0], axis, start, end)
                .getOperation();
          }};
}

Instance split(Random &random) {
  Shape input = random.shape(random.between(1, 3));
  const int64_t axis = random.between(0, input.size() - 1);
  const int64_t parts = random.between(1, 3);
  input[axis] *= parts;
  return {
      {input},
      {true},
      {},
      [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type> types) {
        auto type = cast<RankedTensorType>(types[0]);
        Shape part(type.getShape());
        if (!type.isDynamicDim(axis))
          part[axis] /= parts;
        SmallVector<Type> results(
            parts, RankedTensorType::get(part, type.getElementType()));
        return SplitOp::create(b, loc, results, args[0], axis).getOperation();
      }};
}

Instance transpose(Random &random) {
  Shape input = random.shape(random.between(1, 4));
  Shape perm;
  for (int64_t i = 0; i < static_cast<int64_t>(input.size()); ++i)
    perm.push_back(i);
  std::shuffle(perm.begin(), perm.end(),
               std::mt19937(static_cast<unsigned>(random.between(0, 1000))));
  return {{input},
          {true},
          {},
          [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return TransposeOp::create(b, loc, args[0], perm).getOperation();
          }};
}

Instance upsample(Random &random) {
  return {
      {random.shape(4)},
      {true},
      {},
      [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type> types) {
        auto type = cast<RankedTensorType>(types[0]);
        Shape result(type.getShape());
        for (int64_t axis : {2, 3})
          if (!type.isDynamicDim(axis))
            result[axis] *= 2;
        return UpsampleNearestOp::create(
                   b, loc, RankedTensorType::get(result, type.getElementType()),
                   args[0], ValueRange())
            .getOperation();
      }};
}

Instance avgPool(Random &random) {
  Shape kernel = random.shape(2, 1, 3), stride = random.shape(2, 1, 3);
  Shape input = {random.between(1, 3), random.between(1, 3),
                 random.between(kernel[0], 12), random.between(kernel[1], 12)};
  return {{input},
          {true},
          {},
          [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return AvgPool2DOp::create(b, loc, args[0], kernel, stride)
                .getOperation();
          }};
}

Instance gather(Random &random) {
  return {
      {random.shape(random.between(1, 3)), random.shape(random.between(1, 2))},
      {false, true},
      {},
      [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
        return GatherOp::create(b, loc, args[0], args[1]).getOperation();
      }};
}

Instance timestepEmbedding(Random &random) {
  const int64_t dim = random.between(4, 9); // dim / 2 must differ from shift 1
  return {{{random.between(1, 4)}},
          {true},
          {},
          [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return TimestepEmbeddingOp::create(b, loc, args[0], dim, false,
                                               APFloat(1.0), APFloat(10000.0),
                                               APFloat(1.0))
                .getOperation();
          }};
}

Instance broadcastAdd(Random &random) {
  Shape result = random.shape(random.between(1, 4));
  auto operand = [&] {
    Shape shape(result.begin() + random.between(0, result.size()),
                result.end());
    for (int64_t &size : shape)
      if (random.coin())
        size = 1;
    return shape;
  };
  Shape lhs = operand(), rhs = operand();
  return {{lhs, rhs},
          {true, true},
          {},
          [](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return AddOp::create(b, loc, args[0], args[1]).getOperation();
          }};
}

Instance softmax(Random &random) {
  Shape input = random.shape(random.between(1, 3));
  const int64_t axis = random.between(0, input.size() - 1);
  return {{input},
          {true},
          {},
          [=](OpBuilder &b, Location loc, ValueRange args, ArrayRef<Type>) {
            return SoftmaxOp::create(b, loc, args[0], axis).getOperation();
          }};
}

// The value of expression `index` for inputs of the given shapes.
int64_t evaluate(const std::vector<std::unique_ptr<artifact::ExprT>> &exprs,
                 uint32_t index, const std::vector<Shape> &inputs) {
  const artifact::ExprT &expr = *exprs[index];
  if (expr.op == artifact::ExprOp::Constant)
    return expr.value;
  if (expr.op == artifact::ExprOp::InputDim)
    return inputs[expr.input][expr.axis];
  const int64_t a = evaluate(exprs, expr.lhs, inputs);
  const int64_t b = evaluate(exprs, expr.rhs, inputs);
  switch (expr.op) {
  case artifact::ExprOp::Add:
    return a + b;
  case artifact::ExprOp::Sub:
    return a - b;
  case artifact::ExprOp::Mul:
    return a * b;
  case artifact::ExprOp::FloorDiv:
    return llvm::divideFloorSigned(a, b);
  case artifact::ExprOp::CeilDiv:
    return llvm::divideCeilSigned(a, b);
  case artifact::ExprOp::Max:
    return std::max(a, b);
  default:
    ADD_FAILURE() << "unexpected expression";
    return 0;
  }
}

class SizeRules : public ::testing::Test {
protected:
  SizeRules() {
    context.loadDialect<AvilaDialect, arith::ArithDialect, func::FuncDialect,
                        tensor::TensorDialect>();
  }

  Type elementType(const Instance &instance, size_t operand) {
    if (operand < instance.elementTypes.size())
      return instance.elementTypes[operand];
    return Float32Type::get(&context);
  }

  // A function of `argumentTypes` whose body `fill` writes (before the
  // return it builds from what `fill` returns).
  func::FuncOp
  function(ModuleOp module, ArrayRef<Type> argumentTypes,
           function_ref<SmallVector<Value>(OpBuilder &, ValueRange)> fill) {
    OpBuilder b(module.getBodyRegion());
    Location loc = b.getUnknownLoc();
    auto f =
        func::FuncOp::create(b, loc, "f", b.getFunctionType(argumentTypes, {}));
    Block *body = f.addEntryBlock();
    b.setInsertionPointToStart(body);
    SmallVector<Value> returned = fill(b, body->getArguments());
    func::ReturnOp::create(b, loc, returned);
    f.setType(
        b.getFunctionType(argumentTypes, ValueRange(returned).getTypes()));
    return f;
  }

  // The sizes of every result of `instance` in every domain, compared.
  void check(const Instance &instance, Random &random) {
    Location loc = UnknownLoc::get(&context);
    SmallVector<Type> staticTypes, dynamicTypes;
    for (auto [i, shape] : llvm::enumerate(instance.operands)) {
      Type element = elementType(instance, i);
      staticTypes.push_back(RankedTensorType::get(shape, element));
      Shape dynamic(shape);
      if (instance.activation[i])
        for (int64_t &size : dynamic)
          if (size != 1 && random.coin())
            size = ShapedType::kDynamic;
      dynamicTypes.push_back(RankedTensorType::get(dynamic, element));
    }
    std::string what = "operands";
    llvm::raw_string_ostream stream(what);
    for (Type type : dynamicTypes)
      stream << " " << type;
    SCOPED_TRACE(what);

    // Type inference (and the verifiers) on static shapes.
    OwningOpRef<ModuleOp> inferred = ModuleOp::create(loc);
    std::vector<Shape> expected;
    function(*inferred, staticTypes, [&](OpBuilder &b, ValueRange args) {
      Operation *op = instance.build(b, loc, args, staticTypes);
      for (Type type : op->getResultTypes())
        expected.emplace_back(cast<RankedTensorType>(type).getShape());
      StaticSizes sizes;
      auto ruled = resultSizes(sizes, op);
      EXPECT_TRUE(ruled.has_value());
      for (auto [shape, rule] : llvm::zip(expected, *ruled))
        EXPECT_EQ(shape, Shape(rule));
      return SmallVector<Value>(op->getResults());
    });
    ASSERT_TRUE(succeeded(verify(*inferred)));

    // Size expressions over dynamic inputs, evaluated with the real sizes.
    OwningOpRef<ModuleOp> dynamic = ModuleOp::create(loc);
    Operation *dynamicOp = nullptr;
    func::FuncOp f =
        function(*dynamic, dynamicTypes, [&](OpBuilder &b, ValueRange args) {
          dynamicOp = instance.build(b, loc, args, dynamicTypes);
          return SmallVector<Value>(dynamicOp->getResults());
        });
    ASSERT_TRUE(succeeded(verify(*dynamic)));
    ExprTable table;
    ShapeEvaluator shapes(table);
    ASSERT_FALSE(static_cast<bool>(shapes.evaluate(f)));
    SmallVector<ShapeEvaluator::Dims> exprDims;
    for (Value result : dynamicOp->getResults())
      exprDims.push_back(shapes.dims(result));
    std::vector<std::unique_ptr<artifact::ExprT>> exprs = table.take();
    for (auto [shape, dims] : llvm::zip(expected, exprDims)) {
      Shape evaluated;
      for (uint32_t dim : dims)
        evaluated.push_back(evaluate(exprs, dim, instance.operands));
      EXPECT_EQ(shape, evaluated) << "size expressions";
    }
    for (auto [a, b] : shapes.equalities())
      EXPECT_EQ(evaluate(exprs, a, instance.operands),
                evaluate(exprs, b, instance.operands))
          << "a size equality the runtime would check";

    // The interpreter on the dynamic function, given tensors of the real
    // sizes.
    std::vector<interp::Tensor> arguments;
    for (auto [i, shape] : llvm::enumerate(instance.operands)) {
      auto element = interp::toElementType(elementType(instance, i));
      ASSERT_TRUE(static_cast<bool>(element));
      arguments.push_back(interp::Tensor::zeros(
          *element, interp::Shape(shape.begin(), shape.end())));
    }
    auto interpreted = interp::interpret(f, arguments, {});
    ASSERT_TRUE(static_cast<bool>(interpreted))
        << llvm::toString(interpreted.takeError());
    for (auto [shape, tensor] : llvm::zip_equal(expected, *interpreted))
      EXPECT_EQ(shape, Shape(tensor.shape.begin(), tensor.shape.end()))
          << "interpreter";

    // The lowering's index values on dynamic tensors of the real sizes,
    // folded to constants.
    OwningOpRef<ModuleOp> lowered = ModuleOp::create(loc);
    function(*lowered, staticTypes, [&](OpBuilder &b, ValueRange args) {
      SmallVector<Value> operands;
      for (auto [arg, type] : llvm::zip(args, dynamicTypes))
        operands.push_back(tensor::CastOp::create(b, loc, type, arg));
      Operation *op = instance.build(b, loc, operands, dynamicTypes);
      IndexSizes<tensor::DimOp> sizes(b, loc);
      auto results = resultSizes(sizes, op);
      SmallVector<Value> values;
      for (const auto &result : *results)
        for (OpFoldResult size : result)
          values.push_back(sizes.value(size));
      return values;
    });
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    ASSERT_TRUE(succeeded(pm.run(*lowered)));
    auto returned = (*lowered)
                        .lookupSymbol<func::FuncOp>("f")
                        .getBody()
                        .front()
                        .getTerminator()
                        ->getOperands();
    Shape folded;
    for (Value value : returned) {
      std::optional<int64_t> size = getConstantIntValue(value);
      ASSERT_TRUE(size.has_value()) << "a size did not fold";
      folded.push_back(*size);
    }
    Shape all;
    for (const Shape &shape : expected)
      all.append(shape);
    EXPECT_EQ(all, folded) << "lowering";
  }

  void checkKind(const Kind &kind, unsigned seed) {
    Random random(seed);
    for (int trial = 0; trial < 25; ++trial)
      check(kind(random), random);
  }

  MLIRContext context;
};

TEST_F(SizeRules, Conv2D) { checkKind(conv2d, 1); }
TEST_F(SizeRules, Linear) { checkKind(linear, 2); }
TEST_F(SizeRules, Matmul) { checkKind(matmul, 3); }
TEST_F(SizeRules, Attention) { checkKind(attention, 4); }
TEST_F(SizeRules, Geglu) { checkKind(geglu, 5); }
TEST_F(SizeRules, Concat) { checkKind(concat, 6); }
TEST_F(SizeRules, Slice) { checkKind(slice, 7); }
TEST_F(SizeRules, Split) { checkKind(split, 8); }
TEST_F(SizeRules, Transpose) { checkKind(transpose, 9); }
TEST_F(SizeRules, UpsampleNearest) { checkKind(upsample, 10); }
TEST_F(SizeRules, AvgPool2D) { checkKind(avgPool, 11); }
TEST_F(SizeRules, TimestepEmbedding) { checkKind(timestepEmbedding, 13); }
TEST_F(SizeRules, Broadcast) { checkKind(broadcastAdd, 14); }
TEST_F(SizeRules, Softmax) { checkKind(softmax, 15); }

TEST_F(SizeRules, Gather) {
  Random random(12);
  for (int trial = 0; trial < 25; ++trial) {
    Instance instance = gather(random);
    instance.elementTypes = {Float32Type::get(&context),
                             IntegerType::get(&context, 32)};
    check(instance, random);
  }
}

} // namespace
} // namespace avila::test
