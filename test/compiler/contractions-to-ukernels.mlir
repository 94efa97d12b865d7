// RUN: avila-opt %s --avila-contractions-to-ukernels --canonicalize | FileCheck %s

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// A linear layer: the batch is a dimension B does not have (stride 0), the
// weight is read transposed (K stride 1, N stride 8).
// CHECK: func.func private @avila_ukernel_matmul(index)
// CHECK-LABEL: func.func @linear
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C12:.*]] = arith.constant 12 : index
// CHECK-DAG: %[[C13:.*]] = arith.constant 13 : index
// CHECK-DAG: %[[C14:.*]] = arith.constant 14 : index
// CHECK-DAG: %[[C17:.*]] = arith.constant 17 : index
// CHECK-DAG: %[[C18:.*]] = arith.constant 18 : index
// CHECK: %[[X:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK: %[[PARAMS:.*]] = memref.alloca() : memref<24xindex>
// CHECK: memref.store %[[X]], %[[PARAMS]][%[[C0]]]
// CHECK: memref.store %[[C5]], %[[PARAMS]][%[[C7]]]
// CHECK: memref.store %[[C8]], %[[PARAMS]][%[[C8]]]
// CHECK: memref.store %[[C8]], %[[PARAMS]][%[[C12]]]
// CHECK: memref.store %[[C1]], %[[PARAMS]][%[[C13]]]
// CHECK: memref.store %[[C0]], %[[PARAMS]][%[[C14]]]
// CHECK: memref.store %[[C1]], %[[PARAMS]][%[[C17]]]
// CHECK: memref.store %[[C8]], %[[PARAMS]][%[[C18]]]
// CHECK: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[PARAMS]]
// CHECK: call @avila_ukernel_matmul(%[[ADDRESS]]) : (index) -> ()
// CHECK-NOT: avila.contraction
func.func @linear(%x: memref<?x?x8xf32>, %w: memref<5x8xf32>, %y: memref<?x?x5xf32>) {
  avila.contraction "matmul" ins(%x, %w : memref<?x?x8xf32>, memref<5x8xf32>)
      outs(%y : memref<?x?x5xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y * 2 + ky, x * 2 + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>

// A stride-2 convolution: the window stride is a parameter.
// CHECK-LABEL: func.func @convolution
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG: %[[C11:.*]] = arith.constant 11 : index
// CHECK: memref.store %[[C2]], %{{.*}}[%[[C10]]] : memref<24xindex>
// CHECK: memref.store %[[C2]], %{{.*}}[%[[C11]]] : memref<24xindex>
// CHECK: call @avila_ukernel_conv2d
// CHECK-NOT: avila.contraction
func.func @convolution(%i: memref<?x3x?x?xf32>, %w: memref<4x3x3x3xf32>, %o: memref<?x4x?x?xf32>) {
  avila.contraction "conv2d" ins(%i, %w : memref<?x3x?x?xf32>, memref<4x3x3x3xf32>)
      outs(%o : memref<?x4x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 2, 2>}
  return
}
