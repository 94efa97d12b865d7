// RUN: avila-opt %s --avila-form-contractions | FileCheck %s

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// A linear layer: rows i (x only), columns n (w only), reduction k, and a
// batch b that the weight lacks.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @linear
// CHECK: %[[R:.*]] = avila.contraction "matmul" ins(%arg0, %arg1 : tensor<?x?x8xf32>, tensor<5x8xf32>) outs(%arg2 : tensor<?x?x5xf32>)
// CHECK-SAME: {batch_dims = array<i64: 0>, indexing_maps = [#[[X]], #[[W]], #[[Y]]], k_dim = 3 : i64, m_dim = 1 : i64, n_dim = 2 : i64} -> tensor<?x?x5xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @linear(%x: tensor<?x?x8xf32>, %w: tensor<5x8xf32>, %y: tensor<?x?x5xf32>) -> tensor<?x?x5xf32> {
  %r = linalg.generic {indexing_maps = [#x, #w, #y],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x?x8xf32>, tensor<5x8xf32>) outs(%y : tensor<?x?x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x?x5xf32>
  return %r : tensor<?x?x5xf32>
}

#q = affine_map<(b, h, i, j, d) -> (b, i, h, d)>
#kt = affine_map<(b, h, i, j, d) -> (b, j, h, d)>
#s = affine_map<(b, h, i, j, d) -> (b, h, i, j)>

// Attention's scores: two batches that both operands index, the keys read
// transposed; the product order in the body does not matter.
// CHECK-LABEL: func.func @scores
// CHECK: avila.contraction "matmul"
// CHECK-SAME: batch_dims = array<i64: 0, 1>
// CHECK-SAME: k_dim = 4 : i64, m_dim = 2 : i64, n_dim = 3 : i64
// CHECK-NOT: linalg.generic
func.func @scores(%q: tensor<2x6x4x8xf32>, %k: tensor<2x7x4x8xf32>, %o: tensor<2x4x6x7xf32>) -> tensor<2x4x6x7xf32> {
  %r = linalg.generic {indexing_maps = [#q, #kt, #s],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x6x4x8xf32>, tensor<2x7x4x8xf32>) outs(%o : tensor<2x4x6x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %b, %a : f32
    %t = arith.addf %p, %acc : f32
    linalg.yield %t : f32
  } -> tensor<2x4x6x7xf32>
  return %r : tensor<2x4x6x7xf32>
}

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y * 2 + ky, x * 2 + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>

// A stride-2 convolution: the window strides are the op's.
// CHECK-LABEL: func.func @convolution
// CHECK: avila.contraction "conv2d"
// CHECK-SAME: window_strides = array<i64: 2, 2>
// CHECK-NOT: linalg.generic
func.func @convolution(%i: tensor<?x3x?x?xf32>, %w: tensor<4x3x3x3xf32>, %o: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %r = linalg.generic {indexing_maps = [#in, #k, #out],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %w : tensor<?x3x?x?xf32>, tensor<4x3x3x3xf32>) outs(%o : tensor<?x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %p, %acc : f32
    linalg.yield %s : f32
  } -> tensor<?x4x?x?xf32>
  return %r : tensor<?x4x?x?xf32>
}

#gin = affine_map<(n, o, y, x, c, ky, kx) -> (n, (o floordiv 2) * 2 + c, y + ky, x + kx)>

// Grouped convolutions, other bodies and f16 operands stay loops.
// CHECK-LABEL: func.func @grouped
// CHECK: linalg.generic
// CHECK-NOT: avila.contraction
func.func @grouped(%i: tensor<?x4x?x?xf32>, %w: tensor<4x2x3x3xf32>, %o: tensor<?x4x?x?xf32>) -> tensor<?x4x?x?xf32> {
  %r = linalg.generic {indexing_maps = [#gin, #k, #out],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%i, %w : tensor<?x4x?x?xf32>, tensor<4x2x3x3xf32>) outs(%o : tensor<?x4x?x?xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x4x?x?xf32>
  return %r : tensor<?x4x?x?xf32>
}

// CHECK-LABEL: func.func @maximum
// CHECK: linalg.generic
// CHECK-NOT: avila.contraction
func.func @maximum(%x: tensor<?x?x8xf32>, %w: tensor<5x8xf32>, %y: tensor<?x?x5xf32>) -> tensor<?x?x5xf32> {
  %r = linalg.generic {indexing_maps = [#x, #w, #y],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x?x8xf32>, tensor<5x8xf32>) outs(%y : tensor<?x?x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.maximumf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x?x5xf32>
  return %r : tensor<?x?x5xf32>
}

// CHECK-LABEL: func.func @half
// CHECK: linalg.generic
// CHECK-NOT: avila.contraction
func.func @half(%x: tensor<?x?x8xf16>, %w: tensor<5x8xf16>, %y: tensor<?x?x5xf16>) -> tensor<?x?x5xf16> {
  %r = linalg.generic {indexing_maps = [#x, #w, #y],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x?x8xf16>, tensor<5x8xf16>) outs(%y : tensor<?x?x5xf16>) {
  ^bb0(%a: f16, %b: f16, %acc: f16):
    %p = arith.mulf %a, %b : f16
    %s = arith.addf %acc, %p : f16
    linalg.yield %s : f16
  } -> tensor<?x?x5xf16>
  return %r : tensor<?x?x5xf16>
}
