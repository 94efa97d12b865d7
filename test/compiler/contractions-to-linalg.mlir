// RUN: avila-opt %s --avila-contractions-to-linalg | FileCheck %s

// The contraction's own indexing maps; the loops the init does not index
// (k; c, ky, kx) are reductions; the body accumulates lhs · rhs into the
// init, in place on the buffers.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
// CHECK-DAG: #[[K:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?x?x8xf32>, %[[B:[a-z0-9]+]]: memref<5x8xf32>, %[[C:[a-z0-9]+]]: memref<?x?x5xf32>)
// CHECK-NOT: avila.contraction
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : memref<?x?x8xf32>, memref<5x8xf32>) outs(%[[C]] : memref<?x?x5xf32>)
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[L]], %[[R]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @linear(%x: memref<?x?x8xf32>, %w: memref<5x8xf32>, %y: memref<?x?x5xf32>) attributes {avila.dispatch} {
  avila.contraction "matmul" ins(%x, %w : memref<?x?x8xf32>, memref<5x8xf32>)
      outs(%y : memref<?x?x5xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y * 2 + ky, x * 2 + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>

// A stride-2 convolution: the window stride is in the input's map.
// CHECK-LABEL: func.func @convolution
// CHECK-SAME: (%[[I:[a-z0-9]+]]: memref<?x3x?x?xf32>, %[[F:[a-z0-9]+]]: memref<4x3x3x3xf32>, %[[O:[a-z0-9]+]]: memref<?x4x?x?xf32>)
// CHECK-NOT: avila.contraction
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[K]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: ins(%[[I]], %[[F]] : memref<?x3x?x?xf32>, memref<4x3x3x3xf32>) outs(%[[O]] : memref<?x4x?x?xf32>)
// CHECK-NEXT: ^bb0(%[[L:.*]]: f32, %[[R:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[L]], %[[R]] : f32
// CHECK-NEXT: %[[S:.*]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]] : f32
// CHECK-NOT: avila.contraction
func.func @convolution(%i: memref<?x3x?x?xf32>, %w: memref<4x3x3x3xf32>, %o: memref<?x4x?x?xf32>) attributes {avila.dispatch} {
  avila.contraction "conv2d" ins(%i, %w : memref<?x3x?x?xf32>, memref<4x3x3x3xf32>)
      outs(%o : memref<?x4x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 2, 2>}
  return
}
