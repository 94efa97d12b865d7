// Norms the workgroup lowering cannot run are refused, not miscompiled.
// RUN: not avila-opt %s --split-input-file --avila-group-norms-to-workgroups 2>&1 | FileCheck %s

// CHECK: error: 'avila.fused_group_norm' op takes f32 buffers only
func.func @half(%x: memref<2x8x5xf16>, %g: memref<8xf16>, %o: memref<2x8x5xf16>) attributes {avila.dispatch} {
  avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : memref<2x8x5xf16>, memref<8xf16>, memref<8xf16>) outs(%o : memref<2x8x5xf16>)
  return
}

// -----

// CHECK: error: 'avila.fused_group_norm' op must be on buffers (run after bufferization)
func.func @tensors(%x: tensor<2x8x5xf32>, %g: tensor<8xf32>, %o: tensor<2x8x5xf32>) -> tensor<2x8x5xf32> attributes {avila.dispatch} {
  %r = avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : tensor<2x8x5xf32>, tensor<8xf32>, tensor<8xf32>) outs(%o : tensor<2x8x5xf32>) -> tensor<2x8x5xf32>
  return %r : tensor<2x8x5xf32>
}

// -----

// CHECK: error: 'avila.fused_group_norm' op must be in a kernel's host side (a function marked avila.dispatch)
func.func @host(%x: memref<2x8x5xf32>, %g: memref<8xf32>, %o: memref<2x8x5xf32>) {
  avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : memref<2x8x5xf32>, memref<8xf32>, memref<8xf32>) outs(%o : memref<2x8x5xf32>)
  return
}

// -----

// CHECK: error: 'avila.fused_group_norm' op needs contiguous input and init buffers
func.func @strided(%x: memref<2x8x5xf32, strided<[80, 10, 1]>>, %g: memref<8xf32>, %o: memref<2x8x5xf32>) attributes {avila.dispatch} {
  avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 ins(%x, %g, %g : memref<2x8x5xf32, strided<[80, 10, 1]>>, memref<8xf32>, memref<8xf32>) outs(%o : memref<2x8x5xf32>)
  return
}
