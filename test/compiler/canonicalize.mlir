// Folders remove ops that do nothing and make static sizes constants.
// RUN: avila-opt %s --canonicalize --split-input-file | FileCheck %s

// CHECK-LABEL: func.func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: avila.
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = avila.mul_scalar %x, 1.0 : tensor<2x3xf32>
  %1 = avila.add_scalar %x, 0.0 : tensor<2x3xf32>
  %2 = avila.transpose %x perm [0, 1] : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = avila.reshape %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = avila.cast %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Ops that change values stay.
// CHECK-LABEL: func.func @not_identities
// CHECK: avila.mul_scalar %{{.*}}, 2.000000e+00
// CHECK: avila.add_scalar %{{.*}}, 1.000000e+00
// CHECK: avila.transpose %{{.*}} perm [1, 0]
// CHECK: avila.cast
func.func @not_identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x3xf16>) {
  %0 = avila.mul_scalar %x, 2.0 : tensor<2x3xf32>
  %1 = avila.add_scalar %x, 1.0 : tensor<2x3xf32>
  %2 = avila.transpose %x perm [1, 0] : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %3 = avila.cast %x : tensor<2x3xf32> -> tensor<2x3xf16>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<3x2xf32>, tensor<2x3xf16>
}

// -----

// A reshape between dynamic shapes may reorder sizes, so it is kept.
// CHECK-LABEL: func.func @dynamic_reshape
// CHECK: avila.reshape
func.func @dynamic_reshape(%x: tensor<?x?xf32>, %a: index, %b: index) -> tensor<?x?xf32> {
  %0 = avila.reshape %x dims(%a, %b) : tensor<?x?xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A static size folds to a constant; a dynamic one stays a query.
// CHECK-LABEL: func.func @dims
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[D:.*]] = avila.dim %{{.*}}[0] : tensor<?x4xf32>
// CHECK: return %[[D]], %[[C4]]
func.func @dims(%x: tensor<?x4xf32>) -> (index, index) {
  %0 = avila.dim %x[0] : tensor<?x4xf32>
  %1 = avila.dim %x[1] : tensor<?x4xf32>
  return %0, %1 : index, index
}
