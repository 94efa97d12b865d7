// Contractions the CPU ukernels cannot run are refused, not miscompiled.
// RUN: not avila-opt %s --split-input-file --avila-contractions-to-ukernels 2>&1 | FileCheck %s

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK: error: 'avila.contraction' op the CPU ukernels take f32 operands only
func.func @half(%x: memref<?x?x8xf16>, %w: memref<5x8xf16>, %y: memref<?x?x5xf16>) {
  avila.contraction "matmul" ins(%x, %w : memref<?x?x8xf16>, memref<5x8xf16>)
      outs(%y : memref<?x?x5xf16>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

// -----

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK: error: 'avila.contraction' op must be bufferized before it becomes a ukernel call
func.func @tensors(%x: tensor<?x?x8xf32>, %w: tensor<5x8xf32>, %y: tensor<?x?x5xf32>) -> tensor<?x?x5xf32> {
  %r = avila.contraction "matmul" ins(%x, %w : tensor<?x?x8xf32>, tensor<5x8xf32>)
      outs(%y : tensor<?x?x5xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<?x?x5xf32>
  return %r : tensor<?x?x5xf32>
}
