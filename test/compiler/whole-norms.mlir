// RUN: avila-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(avila-lower-to-linalg{keep-whole-norms}),canonicalize)' | FileCheck %s

// A group norm stays whole, as avila.fused_group_norm on channel axis 1
// into an empty tensor of the input's shape, and the SiLU that is its only
// use joins it: no generic is left to launch.
// CHECK-LABEL: func.func @group_norm_silu(
// CHECK-SAME: %[[X:.*]]: tensor<?x8x?x?xf32>, %[[G:.*]]: tensor<8xf32>, %[[B:.*]]: tensor<8xf32>
// CHECK: %[[INIT:.*]] = tensor.empty(%{{.*}}, %{{.*}}, %{{.*}}) : tensor<?x8x?x?xf32>
// CHECK-NEXT: %[[OUT:.*]] = avila.fused_group_norm axis 1 groups 4 eps 9.9999999999999995E-7 silu ins(%[[X]], %[[G]], %[[B]] : tensor<?x8x?x?xf32>, tensor<8xf32>, tensor<8xf32>) outs(%[[INIT]] : tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @group_norm_silu(%x: tensor<?x8x?x?xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %0 = avila.group_norm %x, %g, %b groups 4 eps 1.0e-6 : (tensor<?x8x?x?xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %1 = avila.silu %0 : tensor<?x8x?x?xf32>
  return %1 : tensor<?x8x?x?xf32>
}

// -----

// A layer norm is one group along its last axis.
// CHECK-LABEL: func.func @layer_norm(
// CHECK-SAME: %[[X:.*]]: tensor<?x?x16xf32>
// CHECK: %[[OUT:.*]] = avila.fused_group_norm axis 2 groups 1 eps 1.000000e-05 ins(%[[X]], %{{.*}}, %{{.*}} : tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @layer_norm(%x: tensor<?x?x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<?x?x16xf32> {
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}

// -----

// A SiLU that shares the norm with another use stays a map of its own.
// CHECK-LABEL: func.func @shared_norm
// CHECK: %[[NORM:.*]] = avila.fused_group_norm axis 1 groups 2 eps 1.000000e-05 ins
// CHECK: linalg.generic {{.*}} ins(%[[NORM]]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[NORM]]
func.func @shared_norm(%x: tensor<1x4x3xf32>, %g: tensor<4xf32>) -> tensor<1x4x3xf32> {
  %0 = avila.group_norm %x, %g, %g groups 2 eps 1.0e-5 : (tensor<1x4x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x3xf32>
  %1 = avila.silu %0 : tensor<1x4x3xf32>
  %2 = avila.add %1, %0 : (tensor<1x4x3xf32>, tensor<1x4x3xf32>) -> tensor<1x4x3xf32>
  return %2 : tensor<1x4x3xf32>
}

// -----

// f16 norms and a dynamic feature count take the linalg path.
// CHECK-LABEL: func.func @linalg_path
// CHECK-NOT: avila.fused_group_norm
// CHECK: linalg.generic
func.func @linalg_path(%x: tensor<2x8x5xf16>, %g: tensor<8xf16>, %y: tensor<3x?xf32>, %v: tensor<?xf32>) -> (tensor<2x8x5xf16>, tensor<3x?xf32>) {
  %0 = avila.group_norm %x, %g, %g groups 4 eps 1.0e-5 : (tensor<2x8x5xf16>, tensor<8xf16>, tensor<8xf16>) -> tensor<2x8x5xf16>
  %1 = avila.layer_norm %y, %v, %v eps 1.0e-5 : (tensor<3x?xf32>, tensor<?xf32>, tensor<?xf32>) -> tensor<3x?xf32>
  return %0, %1 : tensor<2x8x5xf16>, tensor<3x?xf32>
}
