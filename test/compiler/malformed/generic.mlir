// Unknown ops, unknown attributes and wrong operand counts in generic form.
// RUN: not avila-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: avila-opt %s -split-input-file; test $? -eq 1
// CHECK: generic.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: {{.*}}avila.frobnicate
func.func @f(%x: tensor<4xf32>) {
  %0 = "avila.frobnicate"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}
// -----
// CHECK: generic.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: {{.*}}axis
func.func @g(%x: tensor<4xf32>) {
  %0 = "avila.softmax"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}
// -----
// CHECK: generic.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: {{.*}}operand
func.func @h(%x: tensor<4xf32>) {
  %0 = "avila.add"(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return
}
// -----
// CHECK: generic.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: {{.*}}stride
func.func @i(%x: tensor<1x1x4x4xf32>, %w: tensor<1x1x1x1xf32>) {
  %0 = "avila.conv2d"(%x, %w) <{stride = "fast", padding = array<i64: 0, 0, 0, 0>}> : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return
}
