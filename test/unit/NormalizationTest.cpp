//===- NormalizationTest.cpp - group_norm, layer_norm, softmax ------------===//

#include "TestSupport.h"

#include <cmath>

namespace avila::test {
namespace {

TEST(GroupNorm, HandDerivedValues) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<1x2x2x1xf32>, %g: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<1x2x2x1xf32> {
      %0 = avila.group_norm %x, %g, %b groups 1 eps 1.0e-5 : (tensor<1x2x2x1xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x1xf32>
      return %0 : tensor<1x2x2x1xf32>
    })mlir");
  auto results = graph.run("f", {f32({1, 2, 2, 1}, {1, 2, 3, 4}),
                                 f32({2}, {1, 2}), f32({2}, {0, 10})});
  ASSERT_EQ(results.size(), 1u);
  // One group of all four values: mean 2.5, biased variance 1.25.
  const double s = 1.0 / std::sqrt(1.25 + 1e-5);
  expectValues(results[0], {float(-1.5 * s), float(-0.5 * s),
                            float(2 * 0.5 * s + 10), float(2 * 1.5 * s + 10)});
}

TEST(GroupNorm, EachGroupIsStandardized) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<?x12x?x?xf32>, %g: tensor<12xf32>, %b: tensor<12xf32>) -> tensor<?x12x?x?xf32> {
      %0 = avila.group_norm %x, %g, %b groups 4 eps 1.0e-6 : (tensor<?x12x?x?xf32>, tensor<12xf32>, tensor<12xf32>) -> tensor<?x12x?x?xf32>
      return %0 : tensor<?x12x?x?xf32>
    })mlir");
  Tensor x = randn({2, 12, 5, 3}, 20);
  for (float &value : x.floats)
    value = 3.0f * value + 7.0f;
  auto results = graph.run("f", {x, f32({12}, std::vector<float>(12, 1.0f)),
                                 f32({12}, std::vector<float>(12, 0.0f))});
  ASSERT_EQ(results.size(), 1u);
  const int64_t groupSize = 3 * 5 * 3;
  for (int64_t group = 0; group < 2 * 4; ++group) {
    double mean = 0, squares = 0;
    for (int64_t i = 0; i < groupSize; ++i) {
      const double value = results[0].floats[group * groupSize + i];
      mean += value;
      squares += value * value;
    }
    mean /= groupSize;
    EXPECT_NEAR(mean, 0.0, 1e-5) << "group " << group;
    EXPECT_NEAR(squares / groupSize - mean * mean, 1.0, 1e-4)
        << "group " << group;
  }
}

TEST(GroupNorm, EqualsLayerNormOverEachGroup) {
  Graph graph(R"mlir(
    func.func @group(%x: tensor<2x6x4x4xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x6x4x4xf32> {
      %0 = avila.group_norm %x, %g, %b groups 3 eps 1.0e-5 : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
      return %0 : tensor<2x6x4x4xf32>
    }
    func.func @layer(%x: tensor<2x6x4x4xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<2x6x4x4xf32> {
      %0 = avila.reshape %x : tensor<2x6x4x4xf32> -> tensor<2x3x32xf32>
      %1 = avila.layer_norm %0, %g, %b eps 1.0e-5 : (tensor<2x3x32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x3x32xf32>
      %2 = avila.reshape %1 : tensor<2x3x32xf32> -> tensor<2x6x4x4xf32>
      return %2 : tensor<2x6x4x4xf32>
    })mlir");
  Tensor x = randn({2, 6, 4, 4}, 21);
  auto group = graph.run("group", {x, f32({6}, std::vector<float>(6, 1.0f)),
                                   f32({6}, std::vector<float>(6, 0.0f))});
  auto layer = graph.run("layer", {x, f32({32}, std::vector<float>(32, 1.0f)),
                                   f32({32}, std::vector<float>(32, 0.0f))});
  ASSERT_EQ(group.size(), 1u);
  ASSERT_EQ(layer.size(), 1u);
  EXPECT_LT(relativeL2(group[0], layer[0]), 1e-6);
}

TEST(LayerNorm, HandDerivedValues) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<2x2xf32>, %g: tensor<2xf32>, %b: tensor<2xf32>) -> tensor<2x2xf32> {
      %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      return %0 : tensor<2x2xf32>
    })mlir");
  auto results = graph.run(
      "f", {f32({2, 2}, {1, 3, 10, 10}), f32({2}, {2, 3}), f32({2}, {1, -1})});
  ASSERT_EQ(results.size(), 1u);
  // Row 0: mean 2, variance 1. Row 1: constant, normalizes to 0.
  const double s = 1.0 / std::sqrt(1.0 + 1e-5);
  expectValues(results[0], {float(-2 * s + 1), float(3 * s - 1), 1, -1});
}

TEST(Softmax, HandDerivedValuesAlongEitherAxis) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
      %0 = avila.softmax %x axis 1 : (tensor<2x2xf32>) -> tensor<2x2xf32>
      %1 = avila.softmax %x axis 0 : (tensor<2x2xf32>) -> tensor<2x2xf32>
      return %0, %1 : tensor<2x2xf32>, tensor<2x2xf32>
    })mlir");
  const float ln2 = std::log(2.0f);
  auto results = graph.run("f", {f32({2, 2}, {0, ln2, 1000, 1000})});
  ASSERT_EQ(results.size(), 2u);
  // exp(0) : exp(ln 2) = 1 : 2; large equal values must not overflow.
  expectValues(results[0], {1.0f / 3, 2.0f / 3, 0.5, 0.5});
  expectValues(results[1], {0, 0, 1, 1});
}

TEST(Softmax, SumsToOne) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<3x?x4xf32>) -> tensor<3x?x4xf32> {
      %0 = avila.softmax %x axis 1 : (tensor<3x?x4xf32>) -> tensor<3x?x4xf32>
      return %0 : tensor<3x?x4xf32>
    })mlir");
  auto results = graph.run("f", {randn({3, 9, 4}, 22)});
  ASSERT_EQ(results.size(), 1u);
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t i = 0; i < 4; ++i) {
      double sum = 0;
      for (int64_t s = 0; s < 9; ++s)
        sum += results[0].floats[(o * 9 + s) * 4 + i];
      EXPECT_NEAR(sum, 1.0, 1e-6);
    }
}

} // namespace
} // namespace avila::test
