// RUN: avila-opt %s --pass-pipeline='builtin.module(func.func(avila-lower-to-linalg{keep-whole-attention}),canonicalize)' | FileCheck %s

// Plain f32 attention stays whole through the linalg lowering, as
// avila.fused_attention into an empty [B, Lq, Ev] with its default scale
// resolved (1/sqrt(64 / 8)): no scores tensor.
// CHECK-LABEL: func.func @plain(
// CHECK-SAME: %[[Q:.*]]: tensor<?x?x64xf32>, %[[K:.*]]: tensor<?x?x64xf32>, %[[V:.*]]: tensor<?x?x32xf32>
// CHECK-DAG: %[[B:.*]] = tensor.dim %[[Q]], %c0
// CHECK-DAG: %[[L:.*]] = tensor.dim %[[Q]], %c1
// CHECK: %[[INIT:.*]] = tensor.empty(%[[B]], %[[L]]) : tensor<?x?x32xf32>
// CHECK: %[[OUT:.*]] = avila.fused_attention heads 8 scale 0.35355339059327373 ins(%[[Q]], %[[K]], %[[V]] : tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x32xf32>) outs(%[[INIT]] : tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @plain(%q: tensor<?x?x64xf32>, %k: tensor<?x?x64xf32>, %v: tensor<?x?x32xf32>) -> tensor<?x?x32xf32> {
  %0 = avila.attention %q, %k, %v heads 8 : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x32xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// An explicit scale is kept.
// CHECK-LABEL: func.func @scaled
// CHECK: avila.fused_attention heads 2 scale 1.250000e-01
func.func @scaled(%q: tensor<2x9x16xf32>) -> tensor<2x9x16xf32> {
  %0 = avila.attention %q, %q, %q heads 2 scale 0.125 : (tensor<2x9x16xf32>, tensor<2x9x16xf32>, tensor<2x9x16xf32>) -> tensor<2x9x16xf32>
  return %0 : tensor<2x9x16xf32>
}

// Causal and masked attention, and f16, take the linalg path.
// CHECK-LABEL: func.func @causal
// CHECK-NOT: avila.fused_attention
// CHECK: linalg.generic
func.func @causal(%q: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %q, %q heads 8 causal : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @masked
// CHECK-NOT: avila.fused_attention
// CHECK: linalg.generic
func.func @masked(%q: tensor<?x?x64xf32>, %m: tensor<?x?xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %q, %q mask %m heads 8 : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @half
// CHECK-NOT: avila.fused_attention
// CHECK: linalg.generic
func.func @half(%q: tensor<?x?x64xf16>) -> tensor<?x?x64xf16> {
  %0 = avila.attention %q, %q, %q heads 8 : (tensor<?x?x64xf16>, tensor<?x?x64xf16>, tensor<?x?x64xf16>) -> tensor<?x?x64xf16>
  return %0 : tensor<?x?x64xf16>
}
