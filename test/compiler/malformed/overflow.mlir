// A padding that overflows the padded size is rejected, not wrapped.
// RUN: not avila-opt %s 2>&1 | FileCheck %s
// CHECK: overflow.mlir:[[# @LINE + 3]]:{{[0-9]+}}: error: {{.*}}padded size overflows
func.func @f(%x: tensor<1x4x8x8xf32>) {
  %w = avila.weight "w" : tensor<8x4x3x3xf32>
  %0 = avila.conv2d %x, %w stride [1, 1] padding [9223372036854775000, 9223372036854775000, 0, 0] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x6xf32>
  return
}
