// Attention the loop lowering cannot run is refused, not miscompiled.
// RUN: not avila-opt %s --split-input-file --avila-fused-attention-to-loops 2>&1 | FileCheck %s

// CHECK: error: 'avila.fused_attention' op the loop lowering takes f32 operands only
func.func @half(%q: memref<2x9x16xf16>, %o: memref<2x9x16xf16>) {
  avila.fused_attention heads 2 scale 0.25 ins(%q, %q, %q : memref<2x9x16xf16>, memref<2x9x16xf16>, memref<2x9x16xf16>) outs(%o : memref<2x9x16xf16>)
  return
}

// -----

// CHECK: error: 'avila.fused_attention' op must be on buffers (run after bufferization)
func.func @tensors(%q: tensor<2x9x16xf32>, %o: tensor<2x9x16xf32>) -> tensor<2x9x16xf32> {
  %r = avila.fused_attention heads 2 scale 0.25 ins(%q, %q, %q : tensor<2x9x16xf32>, tensor<2x9x16xf32>, tensor<2x9x16xf32>) outs(%o : tensor<2x9x16xf32>) -> tensor<2x9x16xf32>
  return %r : tensor<2x9x16xf32>
}
