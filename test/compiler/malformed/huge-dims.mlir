// An absurd dimension and a huge integer attribute must not crash or allocate.
// RUN: not avila-opt %s 2>&1 | FileCheck %s
// RUN: avila-opt %s; test $? -eq 1
// CHECK: huge-dims.mlir:[[# @LINE + 3]]:{{[0-9]+}}: error:
func.func @f(%x: tensor<9223372036854775807x99999999999xf32>) {
  %w = avila.weight "w" : tensor<8x4x3x3xf32>
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1, 1, 1] groups 99999999999999999999 : (tensor<9223372036854775807x99999999999xf32>, tensor<8x4x3x3xf32>) -> tensor<1xf32>
  return
}
