//===- DataMovementTest.cpp - concat, slice, reshape, upsample, gather ----===//

#include "TestSupport.h"

namespace avila::test {
namespace {

TEST(Concat, JoinsAlongTheAxis) {
  Graph graph(R"mlir(
    func.func @f(%a: tensor<2x1xf32>, %b: tensor<2x2xf32>) -> (tensor<2x3xf32>, tensor<4x2xf32>) {
      %0 = avila.concat %a, %b axis 1 : (tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x3xf32>
      %1 = avila.concat %b, %b axis 0 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
      return %0, %1 : tensor<2x3xf32>, tensor<4x2xf32>
    })mlir");
  auto results =
      graph.run("f", {f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})});
  ASSERT_EQ(results.size(), 2u);
  expectValues(results[0], {1, 3, 4, 2, 5, 6});
  expectValues(results[1], {3, 4, 5, 6, 3, 4, 5, 6});
}

TEST(SliceAndSplit, SelectAndUndoConcat) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<2x?xf32>) -> (tensor<2x2xf32>, tensor<2x?xf32>) {
      %0 = avila.slice %x axis 1 start 1 end 3 : (tensor<2x?xf32>) -> tensor<2x2xf32>
      %1:2 = avila.split %x axis 1 : tensor<2x?xf32> -> tensor<2x?xf32>, tensor<2x?xf32>
      %2 = avila.concat %1#0, %1#1 axis 1 : (tensor<2x?xf32>, tensor<2x?xf32>) -> tensor<2x?xf32>
      return %0, %2 : tensor<2x2xf32>, tensor<2x?xf32>
    })mlir");
  Tensor x = f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  auto results = graph.run("f", {x});
  ASSERT_EQ(results.size(), 2u);
  expectValues(results[0], {2, 3, 6, 7});
  expectValues(results[1], x.floats, 0);
  EXPECT_NE(graph.runError("f", {f32({2, 3}, {1, 2, 3, 4, 5, 6})})
                .find("split of dimension size 3 into 2 equal parts"),
            std::string::npos);
  EXPECT_NE(graph.runError("f", {f32({2, 2}, {1, 2, 3, 4})})
                .find("slice end 3 exceeds dimension size 2"),
            std::string::npos);
}

TEST(ReshapeAndTranspose, MoveElementsInRowMajorOrder) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<?x3xf32>) -> (tensor<3x?xf32>, tensor<?x2xf32>, tensor<?x3xf32>) {
      %0 = avila.transpose %x perm [1, 0] : (tensor<?x3xf32>) -> tensor<3x?xf32>
      %n = avila.dim %x[0] : tensor<?x3xf32>
      %c3 = arith.constant 3 : index
      %c2 = arith.constant 2 : index
      %total = arith.muli %n, %c3 : index
      %rows = arith.floordivsi %total, %c2 : index
      %1 = avila.reshape %x dims(%rows) : tensor<?x3xf32> -> tensor<?x2xf32>
      %2 = avila.transpose %0 perm [1, 0] : (tensor<3x?xf32>) -> tensor<?x3xf32>
      return %0, %1, %2 : tensor<3x?xf32>, tensor<?x2xf32>, tensor<?x3xf32>
    })mlir");
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  auto results = graph.run("f", {x});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].shape, (Shape{3, 2}));
  expectValues(results[0], {1, 4, 2, 5, 3, 6});
  EXPECT_EQ(results[1].shape, (Shape{3, 2}));
  expectValues(results[1], x.floats, 0);
  expectValues(results[2], x.floats, 0);
}

TEST(Reshape, RejectsSizesThatChangeTheElementCount) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<?xf32>, %rows: tensor<?xf32>) -> tensor<?x4xf32> {
      %n = avila.dim %rows[0] : tensor<?xf32>
      %0 = avila.reshape %x dims(%n) : tensor<?xf32> -> tensor<?x4xf32>
      return %0 : tensor<?x4xf32>
    })mlir");
  EXPECT_NE(
      graph.runError("f", {f32({6}, {1, 2, 3, 4, 5, 6}), f32({2}, {0, 0})})
          .find("reshape of 6 to 2x4 changes the element count"),
      std::string::npos);
}

TEST(UpsampleNearest, DoublesOrFollowsTheGivenSizeLikePyTorch) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<1x1x2x2xf32>, %h: tensor<?xf32>, %w: tensor<?xf32>) -> (tensor<1x1x4x4xf32>, tensor<1x1x?x?xf32>) {
      %0 = avila.upsample_nearest %x : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
      %hs = avila.dim %h[0] : tensor<?xf32>
      %ws = avila.dim %w[0] : tensor<?xf32>
      %1 = avila.upsample_nearest %x size(%hs, %ws) : tensor<1x1x2x2xf32> -> tensor<1x1x?x?xf32>
      return %0, %1 : tensor<1x1x4x4xf32>, tensor<1x1x?x?xf32>
    })mlir");
  auto results =
      graph.run("f", {f32({1, 1, 2, 2}, {1, 2, 3, 4}), f32({3}, {0, 0, 0}),
                      f32({5}, {0, 0, 0, 0, 0})});
  ASSERT_EQ(results.size(), 2u);
  expectValues(results[0], {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // PyTorch: source = floor(dst · in/out): rows [0, 0, 1], columns
  // [0, 0, 0, 1, 1].
  EXPECT_EQ(results[1].shape, (Shape{1, 1, 3, 5}));
  expectValues(results[1], {1, 1, 1, 2, 2, 1, 1, 1, 2, 2, 3, 3, 3, 4, 4});
}

TEST(AvgPool2D, AveragesWindows) {
  Graph graph(R"mlir(
    func.func @f(%x: tensor<1x1x3x4xf32>) -> tensor<1x1x1x2xf32> {
      %0 = avila.avg_pool2d %x kernel [2, 2] stride [2, 2] : (tensor<1x1x3x4xf32>) -> tensor<1x1x1x2xf32>
      return %0 : tensor<1x1x1x2xf32>
    })mlir");
  auto results =
      graph.run("f", {f32({1, 1, 3, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0})});
  ASSERT_EQ(results.size(), 1u);
  expectValues(results[0], {3.5, 5.5});
}

TEST(Gather, LooksUpRowsAndChecksIds) {
  Graph graph(R"mlir(
    func.func @f(%table: tensor<3x2xf32>, %ids: tensor<2x2xi32>) -> tensor<2x2x2xf32> {
      %0 = avila.gather %table, %ids : (tensor<3x2xf32>, tensor<2x2xi32>) -> tensor<2x2x2xf32>
      return %0 : tensor<2x2x2xf32>
    })mlir");
  Tensor table = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  auto results = graph.run("f", {table, ids({2, 2}, {2, 0, 1, 1})});
  ASSERT_EQ(results.size(), 1u);
  expectValues(results[0], {5, 6, 1, 2, 3, 4, 3, 4});
  EXPECT_NE(graph.runError("f", {table, ids({2, 2}, {0, -1, 0, 0})})
                .find("gather id -1 is out of range [0, 3)"),
            std::string::npos);
}

} // namespace
} // namespace avila::test
