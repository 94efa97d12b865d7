// RUN: avila-opt %s --pass-pipeline='builtin.module(func.func(avila-lower-to-linalg{keep-whole-attention}),one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize)' | FileCheck %s

// Plain attention stays whole through the linalg lowering and bufferizes to
// an output buffer and one ukernel call: no scores tensor. The scale's f32
// bits (1/sqrt(8) = 0x3EB504F3) and the head stride (8 channels) are
// parameters.
// CHECK-LABEL: func.func @plain
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 1052050675 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %{{.*}}) {{.*}} : memref<?x?x64xf32>
// CHECK: memref.store %[[SCALE]], %{{.*}}[%[[C10]]] : memref<27xindex>
// CHECK: call @avila_ukernel_attention
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
func.func @plain(%q: tensor<?x?x64xf32>, %k: tensor<?x?x64xf32>, %v: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %k, %v heads 8 : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// Causal and masked attention, and f16, take the linalg path.
// CHECK-LABEL: func.func @causal
// CHECK-NOT: avila_ukernel_attention
// CHECK: linalg.generic
func.func @causal(%q: tensor<?x?x64xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %q, %q heads 8 causal : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @masked
// CHECK-NOT: avila_ukernel_attention
// CHECK: linalg.generic
func.func @masked(%q: tensor<?x?x64xf32>, %m: tensor<?x?xf32>) -> tensor<?x?x64xf32> {
  %0 = avila.attention %q, %q, %q mask %m heads 8 : (tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?x64xf32>, tensor<?x?xf32>) -> tensor<?x?x64xf32>
  return %0 : tensor<?x?x64xf32>
}

// CHECK-LABEL: func.func @half
// CHECK-NOT: avila_ukernel_attention
// CHECK: linalg.generic
func.func @half(%q: tensor<?x?x64xf16>) -> tensor<?x?x64xf16> {
  %0 = avila.attention %q, %q, %q heads 8 : (tensor<?x?x64xf16>, tensor<?x?x64xf16>, tensor<?x?x64xf16>) -> tensor<?x?x64xf16>
  return %0 : tensor<?x?x64xf16>
}
