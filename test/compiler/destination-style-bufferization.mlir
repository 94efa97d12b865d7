// One-Shot Bufferize keeps avila.contraction and avila.fused_attention, on
// buffers, updating their init in place: the shared phases hand every
// target the ops with the same buffers a linalg op would have had.
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

// The attention's init is an empty tensor: it becomes the allocation the
// op writes, and the function returns it.
// CHECK-LABEL: func.func @attention(
// CHECK-SAME: %[[Q:.*]]: memref<2x9x16xf32{{.*}}>, %[[KV:.*]]: memref<2x7x16xf32{{.*}}>
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}}: memref<2x9x16xf32>
// CHECK: avila.fused_attention heads 2 scale 2.500000e-01 ins(%[[Q]], %[[KV]], %[[KV]] : memref<2x9x16xf32{{.*}}>, memref<2x7x16xf32{{.*}}>, memref<2x7x16xf32{{.*}}>) outs(%[[OUT]] : memref<2x9x16xf32>){{$}}
// CHECK: return %[[OUT]]
func.func @attention(%q: tensor<2x9x16xf32>, %kv: tensor<2x7x16xf32>) -> tensor<2x9x16xf32> {
  %empty = tensor.empty() : tensor<2x9x16xf32>
  %r = avila.fused_attention heads 2 scale 0.25 ins(%q, %kv, %kv : tensor<2x9x16xf32>, tensor<2x7x16xf32>, tensor<2x7x16xf32>)
      outs(%empty : tensor<2x9x16xf32>) -> tensor<2x9x16xf32>
  return %r : tensor<2x9x16xf32>
}
