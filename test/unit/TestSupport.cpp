//===- TestSupport.cpp - Running avila IR in unit tests -------------------===//

#include "TestSupport.h"

#include "compiler/dialect/AvilaDialect.h"
#include "compiler/transforms/Passes.h"
#include "runtime/base/Difference.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cmath>
#include <random>

namespace avila::test {

Graph::Graph(const std::string &source) {
  context.loadDialect<AvilaDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
  EXPECT_TRUE(module) << "the test graph does not parse";
}

std::vector<Tensor> Graph::run(const std::string &function,
                               const std::vector<Tensor> &arguments,
                               const interp::WeightProvider &weights) {
  if (!module)
    return {};
  auto func = module->lookupSymbol<mlir::func::FuncOp>(function);
  EXPECT_TRUE(func) << "no function " << function;
  if (!func)
    return {};
  auto results = interp::interpret(func, arguments, weights);
  if (!results) {
    ADD_FAILURE() << llvm::toString(results.takeError());
    return {};
  }
  return std::move(*results);
}

std::string Graph::runError(const std::string &function,
                            const std::vector<Tensor> &arguments,
                            const interp::WeightProvider &weights) {
  auto func = module->lookupSymbol<mlir::func::FuncOp>(function);
  auto results = interp::interpret(func, arguments, weights);
  if (results) {
    ADD_FAILURE() << function << " was expected to fail";
    return "";
  }
  return llvm::toString(results.takeError());
}

void Graph::applyPasses(const std::string &pipeline) {
  registerAvilaPasses();
  mlir::PassManager manager(&context);
  ASSERT_TRUE(mlir::succeeded(mlir::parsePassPipeline(pipeline, manager)));
  ASSERT_TRUE(mlir::succeeded(manager.run(*module)));
}

Tensor f32(Shape shape, std::vector<float> values) {
  return Tensor::fromFloats(ElementType::F32, std::move(shape),
                            std::move(values));
}

Tensor ids(Shape shape, std::vector<int64_t> values) {
  return Tensor::fromInts(ElementType::I32, std::move(shape),
                          std::move(values));
}

Tensor randn(Shape shape, unsigned seed, ElementType type) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> values(interp::numElements(shape));
  for (float &value : values)
    value = normal(rng);
  return Tensor::fromFloats(type, std::move(shape), std::move(values));
}

void expectSameResults(Graph &graph, const std::string &function,
                       const std::string &reference,
                       const std::vector<Tensor> &arguments, double tolerance) {
  auto actual = graph.run(function, arguments);
  auto expected = graph.run(reference, arguments);
  ASSERT_EQ(actual.size(), 1u);
  ASSERT_EQ(expected.size(), 1u);
  EXPECT_LT(relativeL2(actual[0], expected[0]), tolerance);
}

double relativeL2(const Tensor &a, const Tensor &b) {
  EXPECT_EQ(a.shape, b.shape);
  if (a.shape != b.shape)
    return INFINITY;
  return avila::relativeL2(a.floats, b.floats);
}

void expectValues(const Tensor &actual, const std::vector<float> &expected,
                  double tolerance) {
  ASSERT_EQ(actual.floats.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    if (actual.floats[i] != expected[i]) // equal infinities are no error
      EXPECT_NEAR(actual.floats[i], expected[i], tolerance) << "element " << i;
}

} // namespace avila::test
