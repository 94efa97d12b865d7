// Truncated op: the file ends inside an attribute list.
// RUN: not avila-opt %s 2>&1 | FileCheck %s
// RUN: avila-opt %s; test $? -eq 1
// CHECK: truncated.mlir:{{[0-9]+}}:{{[0-9]+}}: error:
func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  %0 = avila.conv2d %x, %w stride [1, 1] padding [1, 1
