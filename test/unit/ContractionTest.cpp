//===- ContractionTest.cpp - conv2d, linear, matmul, attention ------------===//

#include "TestSupport.h"

#include <cmath>
#include <limits>

namespace avila::test {
namespace {

TEST(Conv2D, HandDerivedValues) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>, %b: tensor<1xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
      %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [0, 0, 0, 0] : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
      %1 = avila.conv2d %x, %w stride [2, 2] padding [0, 1, 0, 1] : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
      return %0, %1 : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
    })mlir");
  auto results =
      graph.run("f", {f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                      f32({1, 1, 2, 2}, {1, 1, 1, 1}), f32({1}, {0.5})});
  ASSERT_EQ(results.size(), 2u);
  // Each output sums a 2x2 window of the input.
  expectValues(results[0], {12.5, 16.5, 24.5, 28.5});
  // Stride 2 with one row/column of zeros padded after: windows at (0,0),
  // (0,2), (2,0), (2,2), the last three partly outside.
  expectValues(results[1], {12, 9, 15, 9});
}

// conv2d as a scatter: every input pixel, through every kernel tap, adds to
// the one output it reaches. A different loop nest from the gather form that
// the interpreter uses.
Tensor scatterConv(const Tensor &x, const Tensor &w, const Tensor &b,
                   int64_t stride, std::array<int64_t, 4> pad, int64_t groups) {
  const int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  const int64_t o = w.shape[0], cg = w.shape[1], kh = w.shape[2],
                kw = w.shape[3];
  const int64_t oh = (h + pad[0] + pad[1] - kh) / stride + 1;
  const int64_t ow = (wd + pad[2] + pad[3] - kw) / stride + 1;
  std::vector<double> out(n * o * oh * ow);
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t i = 0; i < oh * ow; ++i)
        out[(b0 * o + oc) * oh * ow + i] = b.floats[oc];
  for (int64_t b0 = 0; b0 < n; ++b0)
    for (int64_t ic = 0; ic < c; ++ic)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t xx = 0; xx < wd; ++xx)
          for (int64_t oc = (ic / cg) * (o / groups);
               oc < (ic / cg + 1) * (o / groups); ++oc)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                const int64_t py = y + pad[0] - ky, px = xx + pad[2] - kx;
                if (py < 0 || px < 0 || py % stride || px % stride)
                  continue;
                const int64_t oy = py / stride, ox = px / stride;
                if (oy >= oh || ox >= ow)
                  continue;
                out[((b0 * o + oc) * oh + oy) * ow + ox] +=
                    static_cast<double>(
                        x.floats[((b0 * c + ic) * h + y) * wd + xx]) *
                    w.floats[((oc * cg + ic % cg) * kh + ky) * kw + kx];
              }
  return f32({n, o, oh, ow}, std::vector<float>(out.begin(), out.end()));
}

struct ConvCase {
  int64_t batch, channels, height, width, out, kernel, stride, groups;
  std::array<int64_t, 4> padding;
};

void PrintTo(const ConvCase &c, std::ostream *os) {
  *os << c.batch << "x" << c.channels << "x" << c.height << "x" << c.width
      << " -> " << c.out << " k" << c.kernel << " s" << c.stride << " g"
      << c.groups;
}

class Conv2DScatter : public ::testing::TestWithParam<ConvCase> {};

TEST_P(Conv2DScatter, EqualsScatterLoopNest) {
  const ConvCase p = GetParam();
  const std::string x = "tensor<?x" + std::to_string(p.channels) + "x?x?xf32>";
  const std::string w = "tensor<" + std::to_string(p.out) + "x" +
                        std::to_string(p.channels / p.groups) + "x" +
                        std::to_string(p.kernel) + "x" +
                        std::to_string(p.kernel) + "xf32>";
  const std::string b = "tensor<" + std::to_string(p.out) + "xf32>";
  const std::string y = "tensor<?x" + std::to_string(p.out) + "x?x?xf32>";
  const std::string pad =
      std::to_string(p.padding[0]) + ", " + std::to_string(p.padding[1]) +
      ", " + std::to_string(p.padding[2]) + ", " + std::to_string(p.padding[3]);
  Graph graph("func.func @f(%x: " + x + ", %w: " + w + ", %b: " + b + ") -> " +
              y + " {\n %0 = avila.conv2d %x, %w, %b stride [" +
              std::to_string(p.stride) + ", " + std::to_string(p.stride) +
              "] padding [" + pad + "] groups " + std::to_string(p.groups) +
              " : (" + x + ", " + w + ", " + b + ") -> " + y +
              "\n return %0 : " + y + "\n}");
  Tensor input = randn({p.batch, p.channels, p.height, p.width}, 1);
  Tensor weight = randn({p.out, p.channels / p.groups, p.kernel, p.kernel}, 2);
  Tensor bias = randn({p.out}, 3);
  auto results = graph.run("f", {input, weight, bias});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_LT(relativeL2(results[0], scatterConv(input, weight, bias, p.stride,
                                               p.padding, p.groups)),
            1e-6);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv2DScatter,
    ::testing::Values(ConvCase{2, 4, 7, 5, 6, 3, 1, 1, {1, 1, 1, 1}},
                      ConvCase{1, 4, 9, 6, 4, 3, 2, 1, {0, 1, 0, 1}},
                      ConvCase{1, 6, 5, 5, 4, 3, 2, 2, {1, 1, 1, 1}},
                      ConvCase{3, 3, 4, 6, 5, 1, 1, 1, {0, 0, 0, 0}},
                      ConvCase{1, 2, 3, 8, 3, 2, 3, 1, {2, 0, 1, 0}}),
    [](const ::testing::TestParamInfo<ConvCase> &info) {
      return "Case" + std::to_string(info.index);
    });

TEST(Linear, EqualsMatmulWithTransposedWeightPlusBias) {
  Graph graph(R"mlir(
    func.func @linear(%x: tensor<2x?x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>) -> tensor<2x?x3xf32> {
      %0 = avila.linear %x, %w, %b : (tensor<2x?x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<2x?x3xf32>
      return %0 : tensor<2x?x3xf32>
    }
    func.func @composed(%x: tensor<2x?x5xf32>, %w: tensor<3x5xf32>, %b: tensor<3xf32>) -> tensor<2x?x3xf32> {
      %wt = avila.transpose %w perm [1, 0] : (tensor<3x5xf32>) -> tensor<5x3xf32>
      %wt3 = avila.reshape %wt : tensor<5x3xf32> -> tensor<1x5x3xf32>
      %wt2 = avila.concat %wt3, %wt3 axis 0 : (tensor<1x5x3xf32>, tensor<1x5x3xf32>) -> tensor<2x5x3xf32>
      %0 = avila.matmul %x, %wt2 : (tensor<2x?x5xf32>, tensor<2x5x3xf32>) -> tensor<2x?x3xf32>
      %1 = avila.add %0, %b : (tensor<2x?x3xf32>, tensor<3xf32>) -> tensor<2x?x3xf32>
      return %1 : tensor<2x?x3xf32>
    })mlir");
  expectSameResults(graph, "linear", "composed",
                    {randn({2, 4, 5}, 4), randn({3, 5}, 5), randn({3}, 6)});
}

TEST(Matmul, HandDerivedValues) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<2x2x3xf32>, %b: tensor<2x3x1xf32>) -> tensor<2x2x1xf32> {
      %0 = avila.matmul %a, %b : (tensor<2x2x3xf32>, tensor<2x3x1xf32>) -> tensor<2x2x1xf32>
      return %0 : tensor<2x2x1xf32>
    })mlir");
  auto results =
      graph.run("f", {f32({2, 2, 3}, {1, 2, 3, 4, 5, 6, 1, 0, 0, 0, 1, 0}),
                      f32({2, 3, 1}, {1, 1, 1, 7, 8, 9})});
  ASSERT_EQ(results.size(), 1u);
  expectValues(results[0], {6, 15, 7, 8});
}

// softmax(Q Kᵀ · scale + mask) V per head, written with primitive ops.
constexpr const char *kAttentionGraphs = R"mlir(
  func.func @fused(%q: tensor<2x5x8xf32>, %k: tensor<2x7x8xf32>, %v: tensor<2x7x6xf32>, %m: tensor<2x5x7xf32>) -> tensor<2x5x6xf32> {
    %0 = avila.attention %q, %k, %v mask %m heads 2 : (tensor<2x5x8xf32>, tensor<2x7x8xf32>, tensor<2x7x6xf32>, tensor<2x5x7xf32>) -> tensor<2x5x6xf32>
    return %0 : tensor<2x5x6xf32>
  }
  func.func @composed(%q: tensor<2x5x8xf32>, %k: tensor<2x7x8xf32>, %v: tensor<2x7x6xf32>, %m: tensor<2x5x7xf32>) -> tensor<2x5x6xf32> {
    %q4 = avila.reshape %q : tensor<2x5x8xf32> -> tensor<2x5x2x4xf32>
    %qh = avila.transpose %q4 perm [0, 2, 1, 3] : (tensor<2x5x2x4xf32>) -> tensor<2x2x5x4xf32>
    %k4 = avila.reshape %k : tensor<2x7x8xf32> -> tensor<2x7x2x4xf32>
    %kt = avila.transpose %k4 perm [0, 2, 3, 1] : (tensor<2x7x2x4xf32>) -> tensor<2x2x4x7xf32>
    %v4 = avila.reshape %v : tensor<2x7x6xf32> -> tensor<2x7x2x3xf32>
    %vh = avila.transpose %v4 perm [0, 2, 1, 3] : (tensor<2x7x2x3xf32>) -> tensor<2x2x7x3xf32>
    %s = avila.matmul %qh, %kt : (tensor<2x2x5x4xf32>, tensor<2x2x4x7xf32>) -> tensor<2x2x5x7xf32>
    %ss = avila.mul_scalar %s, 0.5 : tensor<2x2x5x7xf32>
    %m4 = avila.reshape %m : tensor<2x5x7xf32> -> tensor<2x1x5x7xf32>
    %sm = avila.add %ss, %m4 : (tensor<2x2x5x7xf32>, tensor<2x1x5x7xf32>) -> tensor<2x2x5x7xf32>
    %p = avila.softmax %sm axis 3 : (tensor<2x2x5x7xf32>) -> tensor<2x2x5x7xf32>
    %o = avila.matmul %p, %vh : (tensor<2x2x5x7xf32>, tensor<2x2x7x3xf32>) -> tensor<2x2x5x3xf32>
    %ot = avila.transpose %o perm [0, 2, 1, 3] : (tensor<2x2x5x3xf32>) -> tensor<2x5x2x3xf32>
    %r = avila.reshape %ot : tensor<2x5x2x3xf32> -> tensor<2x5x6xf32>
    return %r : tensor<2x5x6xf32>
  }
  func.func @causal(%x: tensor<2x5x8xf32>) -> tensor<2x5x8xf32> {
    %0 = avila.attention %x, %x, %x heads 2 causal : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>) -> tensor<2x5x8xf32>
    return %0 : tensor<2x5x8xf32>
  }
  func.func @masked_self(%x: tensor<2x5x8xf32>, %m: tensor<5x5xf32>) -> tensor<2x5x8xf32> {
    %0 = avila.attention %x, %x, %x mask %m heads 2 : (tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<2x5x8xf32>, tensor<5x5xf32>) -> tensor<2x5x8xf32>
    return %0 : tensor<2x5x8xf32>
  })mlir";

TEST(Attention, EqualsSoftmaxOfScaledScoresTimesValues) {
  Graph graph(kAttentionGraphs);
  expectSameResults(graph, "fused", "composed",
                    {randn({2, 5, 8}, 7), randn({2, 7, 8}, 8),
                     randn({2, 7, 6}, 9), randn({2, 5, 7}, 10)});
}

TEST(Attention, DecompositionPassPreservesValues) {
  Graph fusedGraph(kAttentionGraphs), decomposedGraph(kAttentionGraphs);
  decomposedGraph.applyPasses(
      "builtin.module(func.func(avila-decompose-composites))");
  std::vector<Tensor> args = {randn({2, 5, 8}, 11), randn({2, 7, 8}, 12),
                              randn({2, 7, 6}, 13), randn({2, 5, 7}, 14)};
  auto fused = fusedGraph.run("fused", args);
  auto decomposed = decomposedGraph.run("fused", args);
  ASSERT_EQ(decomposed.size(), 1u);
  EXPECT_LT(relativeL2(decomposed[0], fused[0]), 1e-6);
}

TEST(Attention, CausalEqualsMaskHidingLaterKeys) {
  Graph graph(kAttentionGraphs);
  Tensor x = randn({2, 5, 8}, 15);
  std::vector<float> mask(25, 0.0f);
  for (int i = 0; i < 5; ++i)
    for (int j = i + 1; j < 5; ++j)
      mask[i * 5 + j] = -std::numeric_limits<float>::infinity();
  auto causal = graph.run("causal", {x});
  auto masked = graph.run("masked_self", {x, f32({5, 5}, mask)});
  ASSERT_EQ(causal.size(), 1u);
  ASSERT_EQ(masked.size(), 1u);
  EXPECT_LT(relativeL2(causal[0], masked[0]), 1e-7);
  // The first position sees only itself: its output is its own value.
  for (int b = 0; b < 2; ++b)
    for (int e = 0; e < 8; ++e)
      EXPECT_NEAR(causal[0].floats[b * 40 + e], x.floats[b * 40 + e], 1e-6);
}

TEST(Attention, UniformScoresAverageTheValues) {
  Graph graph(R"mlir(
    func.func @f(%q: tensor<1x1x2xf32>, %k: tensor<1x3x2xf32>, %v: tensor<1x3x2xf32>) -> tensor<1x1x2xf32> {
      %0 = avila.attention %q, %k, %v heads 1 : (tensor<1x1x2xf32>, tensor<1x3x2xf32>, tensor<1x3x2xf32>) -> tensor<1x1x2xf32>
      return %0 : tensor<1x1x2xf32>
    })mlir");
  // A zero query scores every key 0: the output is the mean of the values.
  auto results = graph.run("f", {f32({1, 1, 2}, {0, 0}), randn({1, 3, 2}, 16),
                                 f32({1, 3, 2}, {1, 10, 2, 20, 6, 30})});
  ASSERT_EQ(results.size(), 1u);
  expectValues(results[0], {3, 20}, 1e-5);
}

} // namespace
} // namespace avila::test
