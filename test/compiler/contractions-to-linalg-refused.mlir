// A contraction on tensors is refused: the loops update the init in place.
// RUN: not avila-opt %s --avila-contractions-to-linalg 2>&1 | FileCheck %s

#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK: error: 'avila.contraction' op must be on buffers (run after bufferization)
// CHECK-NOT: linalg.generic
func.func @tensors(%x: tensor<?x?x8xf32>, %w: tensor<5x8xf32>, %y: tensor<?x?x5xf32>) -> tensor<?x?x5xf32> attributes {avila.dispatch} {
  %r = avila.contraction "matmul" ins(%x, %w : tensor<?x?x8xf32>, tensor<5x8xf32>)
      outs(%y : tensor<?x?x5xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3} -> tensor<?x?x5xf32>
  return %r : tensor<?x?x5xf32>
}
