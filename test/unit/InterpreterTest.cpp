//===- InterpreterTest.cpp - arguments, weights, constants, errors --------===//

#include "TestSupport.h"

namespace avila::test {
namespace {

constexpr const char *kWeighted = R"mlir(
  func.func @f(%x: tensor<?x2xf32>) -> tensor<?x3xf16> {
    %w = avila.weight "proj.weight" : tensor<3x2xf32>
    %b = avila.constant dense<[0.5, 0.0, -0.5]> : tensor<3xf32>
    %0 = avila.linear %x, %w, %b : (tensor<?x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<?x3xf32>
    %1 = avila.cast %0 : tensor<?x3xf32> -> tensor<?x3xf16>
    return %1 : tensor<?x3xf16>
  })mlir";

TEST(Interpreter, BindsWeightsByNameWithTheDeclaredShape) {
  Graph graph(kWeighted);
  std::vector<std::string> requested;
  auto weights = [&](llvm::StringRef name, const Shape &shape,
                     ElementType type) -> llvm::Expected<Tensor> {
    requested.push_back(name.str());
    EXPECT_EQ(shape, (Shape{3, 2}));
    EXPECT_EQ(type, ElementType::F32);
    return f32({3, 2}, {1, 0, 0, 1, 1, 1});
  };
  auto results = graph.run("f", {f32({1, 2}, {2, 3})}, weights);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(requested, std::vector<std::string>{"proj.weight"});
  EXPECT_EQ(results[0].elementType, ElementType::F16);
  expectValues(results[0], {2.5, 3, 4.5});
}

TEST(Interpreter, RejectsAWeightOfAnotherShape) {
  Graph graph(kWeighted);
  auto weights = [](llvm::StringRef, const Shape &,
                    ElementType) -> llvm::Expected<Tensor> {
    return f32({2, 3}, {1, 0, 0, 1, 1, 1});
  };
  EXPECT_NE(graph.runError("f", {f32({1, 2}, {2, 3})}, weights)
                .find("weight 'proj.weight' has shape 2x3, the graph expects "
                      "3x2"),
            std::string::npos);
}

TEST(Interpreter, PassesWeightProviderErrorsThrough) {
  Graph graph(kWeighted);
  auto weights = [](llvm::StringRef name, const Shape &,
                    ElementType) -> llvm::Expected<Tensor> {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "missing tensor " + name.str());
  };
  EXPECT_NE(graph.runError("f", {f32({1, 2}, {2, 3})}, weights)
                .find("missing tensor proj.weight"),
            std::string::npos);
}

TEST(Interpreter, ChecksArgumentsAgainstTheSignature) {
  Graph graph(kWeighted);
  EXPECT_NE(graph.runError("f", {f32({1, 3}, {1, 2, 3})})
                .find("argument 0 is 1x3xf32 but the function expects "
                      "tensor<?x2xf32>"),
            std::string::npos);
  EXPECT_NE(
      graph.runError("f", {ids({1, 2}, {1, 2})}).find("argument 0 is 1x2xi32"),
      std::string::npos);
  EXPECT_NE(graph.runError("f", {}).find("takes 1 arguments, got 0"),
            std::string::npos);
}

TEST(Interpreter, NamesTheOpAndLocationOfARunTimeError) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<?xf32>, %y: tensor<?xf32>) -> tensor<?xf32> {
      %0 = avila.mul %x, %y : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32> loc("model.mlir":7:3)
      return %0 : tensor<?xf32>
    })mlir");
  std::string message =
      graph.runError("f", {f32({2}, {1, 2}), f32({3}, {1, 2, 3})});
  EXPECT_NE(message.find("'avila.mul' at model.mlir:7:3"), std::string::npos)
      << message;
}

// Sizes the op's rule requires to agree are checked on the run-time shapes,
// and the error names the operands' shapes and the sizes.
TEST(Interpreter, ChecksTheSizeRuleOnRunTimeShapes) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<2x?xf32>, %b: tensor<?x2xf32>) -> tensor<2x2xf32> {
      %0 = avila.matmul %a, %b : (tensor<2x?xf32>, tensor<?x2xf32>) -> tensor<2x2xf32>
      return %0 : tensor<2x2xf32>
    })mlir");
  std::string message = graph.runError(
      "f", {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({2, 2}, {1, 2, 3, 4})});
  EXPECT_NE(message.find("operands 2x3, 2x2: sizes 3 and 2 must agree"),
            std::string::npos)
      << message;
}

} // namespace
} // namespace avila::test
