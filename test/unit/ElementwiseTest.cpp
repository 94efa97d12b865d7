//===- ElementwiseTest.cpp - activations, arithmetic, casts, embeddings ---===//

#include "TestSupport.h"

#include <cmath>

namespace avila::test {
namespace {

// x = [1, -1, 2] through every unary op; expected values from the defining
// formulas, evaluated independently in double.
TEST(Unary, HandDerivedValues) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
      %0 = avila.gelu %x : tensor<3xf32>
      %1 = avila.gelu %x tanh : tensor<3xf32>
      %2 = avila.quick_gelu %x : tensor<3xf32>
      %3 = avila.silu %x : tensor<3xf32>
      %4 = avila.sigmoid %x : tensor<3xf32>
      %5 = avila.tanh %x : tensor<3xf32>
      return %0, %1, %2, %3, %4, %5 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
    }
    func.func @g(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
      %0 = avila.exp %x : tensor<2xf32>
      %1 = avila.sqrt %x : tensor<2xf32>
      %2 = avila.rsqrt %x : tensor<2xf32>
      return %0, %1, %2 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
    })mlir");
  auto results = graph.run("f", {f32({3}, {1, -1, 2})});
  ASSERT_EQ(results.size(), 6u);
  expectValues(results[0], {0.8413447460685429f, -0.15865525393145707f,
                            1.9544997361036416f});
  expectValues(results[1], {0.8411919906082768f, -0.15880800939172324f,
                            1.954597694087775f});
  expectValues(results[2], {0.8457957659328212f, -0.1542042340671787f,
                            1.9356586231442083f});
  expectValues(results[3], {0.7310585786300049f, -0.2689414213699951f,
                            1.7615941559557646f});
  expectValues(results[4],
               {0.7310585786300049f, 0.2689414213699951f, 0.8807970779778823f});
  expectValues(results[5], {0.7615941559557649f, -0.7615941559557649f,
                            0.9640275800758169f});
  auto more = graph.run("g", {f32({2}, {1, 4})});
  ASSERT_EQ(more.size(), 3u);
  expectValues(more[0], {2.718281828459045f, 54.598150033144236f}, 1e-5);
  expectValues(more[1], {1, 2});
  expectValues(more[2], {1, 0.5});
}

TEST(Geglu, EqualsValueHalfTimesGeluOfGateHalf) {
  Graph graph(R"mlir(
    func.func @fused(%x: tensor<2x?x6xf32>) -> tensor<2x?x3xf32> {
      %0 = avila.geglu %x : (tensor<2x?x6xf32>) -> tensor<2x?x3xf32>
      return %0 : tensor<2x?x3xf32>
    }
    func.func @composed(%x: tensor<2x?x6xf32>) -> tensor<2x?x3xf32> {
      %a = avila.slice %x axis 2 start 0 end 3 : (tensor<2x?x6xf32>) -> tensor<2x?x3xf32>
      %g = avila.slice %x axis 2 start 3 end 6 : (tensor<2x?x6xf32>) -> tensor<2x?x3xf32>
      %gg = avila.gelu %g : tensor<2x?x3xf32>
      %0 = avila.mul %a, %gg : (tensor<2x?x3xf32>, tensor<2x?x3xf32>) -> tensor<2x?x3xf32>
      return %0 : tensor<2x?x3xf32>
    })mlir");
  expectSameResults(graph, "fused", "composed", {randn({2, 5, 6}, 30)}, 1e-7);
}

TEST(Binary, BroadcastsLikeNumPy) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<2x1xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
      %0 = avila.add %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %1 = avila.sub %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %2 = avila.mul %a, %b : (tensor<2x1xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      %3 = avila.div %b, %a : (tensor<3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
      return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
    })mlir");
  auto results = graph.run("f", {f32({2, 1}, {1, 2}), f32({3}, {10, 20, 40})});
  ASSERT_EQ(results.size(), 4u);
  expectValues(results[0], {11, 21, 41, 12, 22, 42});
  expectValues(results[1], {-9, -19, -39, -8, -18, -38});
  expectValues(results[2], {10, 20, 40, 20, 40, 80});
  expectValues(results[3], {10, 20, 40, 5, 10, 20});
}

TEST(Binary, DynamicSizesMustAgreeAtRunTime) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
      %0 = avila.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir");
  auto ones = graph.run("f", {f32({3}, {1, 2, 3}), f32({1}, {1})});
  ASSERT_EQ(ones.size(), 1u);
  expectValues(ones[0], {2, 3, 4});
  EXPECT_NE(graph.runError("f", {f32({3}, {1, 2, 3}), f32({2}, {1, 2})})
                .find("not broadcastable"),
            std::string::npos);
}

TEST(Scalar, AffineAndClamp) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
      %0 = avila.mul_scalar %x, 0.5 : tensor<4xf32>
      %1 = avila.add_scalar %x, -1.0 : tensor<4xf32>
      %2 = avila.clamp %x min -1.0 max 2.0 : tensor<4xf32>
      return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir");
  auto results = graph.run("f", {f32({4}, {-3, 0, 1.5, 8})});
  ASSERT_EQ(results.size(), 3u);
  expectValues(results[0], {-1.5, 0, 0.75, 4});
  expectValues(results[1], {-4, -1, 0.5, 7});
  expectValues(results[2], {-1, 0, 1.5, 2});
}

TEST(Cast, RoundsToNearestEven) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<4xf32>) -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xf32>) {
      %0 = avila.cast %x : tensor<4xf32> -> tensor<4xf16>
      %1 = avila.cast %x : tensor<4xf32> -> tensor<4xbf16>
      %2 = avila.cast %0 : tensor<4xf16> -> tensor<4xf32>
      return %0, %1, %2 : tensor<4xf16>, tensor<4xbf16>, tensor<4xf32>
    })mlir");
  // 2049 lies halfway between the f16 neighbours 2048 and 2050: ties to even.
  auto results = graph.run("f", {f32({4}, {0.1f, 2049, 65520, 1.0f / 3})});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].elementType, ElementType::F16);
  expectValues(results[0], {0.0999755859375f, 2048, INFINITY, 0.333251953125f},
               0);
  expectValues(results[1], {0.10009765625f, 2048, 65536, 0.333984375f}, 0);
  EXPECT_EQ(results[2].elementType, ElementType::F32);
  expectValues(results[2], {0.0999755859375f, 2048, INFINITY, 0.333251953125f},
               0);
}

TEST(HalfPrecision, EveryResultIsRoundedToItsType) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<2xf16>, %b: tensor<2xf16>) -> tensor<2xf16> {
      %0 = avila.add %a, %b : (tensor<2xf16>, tensor<2xf16>) -> tensor<2xf16>
      return %0 : tensor<2xf16>
    })mlir");
  // The f16 neighbours of 1 are 1 - 2^-11 and 1 + 2^-10; 1 + 2^-12 rounds to 1.
  auto results =
      graph.run("f", {Tensor::fromFloats(ElementType::F16, {2}, {1, 1}),
                      Tensor::fromFloats(ElementType::F16, {2},
                                         {0.000244140625f, 0.0009765625f})});
  ASSERT_EQ(results.size(), 1u);
  expectValues(results[0], {1, 1.0009765625f}, 0);
}

TEST(TimestepEmbedding, MatchesTheSinusoidFormula) {
  Graph graph(R"mlir(
    func.func @f(%t: tensor<3xf32>) -> (tensor<3x4xf32>, tensor<3x5xf32>) {
      %0 = avila.timestep_embedding %t dim 4 flip_sin_to_cos shift 0.0 : (tensor<3xf32>) -> tensor<3x4xf32>
      %1 = avila.timestep_embedding %t dim 5 : (tensor<3xf32>) -> tensor<3x5xf32>
      return %0, %1 : tensor<3x4xf32>, tensor<3x5xf32>
    })mlir");
  auto results = graph.run("f", {f32({3}, {0, 1, 981})});
  ASSERT_EQ(results.size(), 2u);
  // dim 4, shift 0: half 2, frequencies exp(-ln(1e4)·i/2) = [1, 0.01];
  // flipped: [cos, cos, sin, sin].
  // dim 5, shift 1: frequencies exp(-ln(1e4)·i/1) = [1, 1e-4]; [sin, cos, 0].
  std::vector<float> flipped, padded;
  for (double t : {0.0, 1.0, 981.0}) {
    for (double v :
         {std::cos(t), std::cos(0.01 * t), std::sin(t), std::sin(0.01 * t)})
      flipped.push_back(static_cast<float>(v));
    for (double v : {std::sin(t), std::sin(1e-4 * t), std::cos(t),
                     std::cos(1e-4 * t), 0.0})
      padded.push_back(static_cast<float>(v));
  }
  // sin/cos of 981 in float32 (as the reference computes) differ from double
  // by the rounding of the argument: |Δ| ≤ 981 · 2^-24 ≈ 6e-5.
  expectValues(results[0], flipped, 1e-4);
  expectValues(results[1], padded, 1e-4);
}

} // namespace
} // namespace avila::test
