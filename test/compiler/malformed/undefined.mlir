// A use of an undefined value and a type that does not match its use.
// RUN: not avila-opt %s -split-input-file 2>&1 | FileCheck %s
// RUN: avila-opt %s -split-input-file; test $? -eq 1
// CHECK: undefined.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: use of undeclared SSA value
func.func @f() {
  %0 = avila.silu %nothing : tensor<4xf32>
  return
}
// -----
// CHECK: undefined.mlir:[[# @LINE + 2]]:{{[0-9]+}}: error: use of value {{.*}} expects different type
func.func @g(%x: tensor<4xf32>) {
  %0 = avila.silu %x : tensor<5xf32>
  return
}
