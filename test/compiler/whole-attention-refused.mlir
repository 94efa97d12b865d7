// Attention kept whole needs static embedding sizes to split its heads: with
// a dynamic one and an explicit scale it is not kept, and the linalg
// lowering refuses it by name rather than forming an invalid op.
// RUN: not avila-opt %s --pass-pipeline='builtin.module(func.func(avila-lower-to-linalg{keep-whole-attention}))' 2>&1 | FileCheck %s

// CHECK: error: failed to legalize operation 'avila.attention'
// CHECK-NOT: avila.fused_attention
func.func @dynamic_embedding(%q: tensor<?x?x?xf32>, %v: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %q, %v heads 8 scale 0.125 : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}
