// One-Shot Bufferize keeps avila.contraction, on buffers, updating its init
// in place: the shared phases hand every target the op with the same
// buffers a linalg op would have had.
// RUN: avila-opt %s --pass-pipeline='builtin.module(one-shot-bufferize{bufferize-function-boundaries})' | FileCheck %s

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK-LABEL: func.func @linear(
// CHECK-SAME: %[[X:.*]]: memref<2x3x8xf32{{.*}}>, %[[W:.*]]: memref<5x8xf32{{.*}}>
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}}: memref<2x3x5xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[Y]] : memref<2x3x5xf32>)
// CHECK: avila.contraction "matmul" ins(%[[X]], %[[W]] : memref<2x3x8xf32{{.*}}>, memref<5x8xf32{{.*}}>) outs(%[[Y]] : memref<2x3x5xf32>)
// CHECK-SAME: {batch_dims = array<i64: 0>, indexing_maps = [{{.*}}], k_dim = 3 : i64, m_dim = 1 : i64, n_dim = 2 : i64}
// CHECK-NOT: ->
// CHECK: return %[[Y]]
func.func @linear(%x: tensor<2x3x8xf32>, %w: tensor<5x8xf32>) -> tensor<2x3x5xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x3x5xf32>
  %y = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x3x5xf32>) -> tensor<2x3x5xf32>
  %r = avila.contraction "matmul" ins(%x, %w : tensor<2x3x8xf32>, tensor<5x8xf32>)
      outs(%y : tensor<2x3x5xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<2x3x5xf32>
  return %r : tensor<2x3x5xf32>
}
