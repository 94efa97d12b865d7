// RUN: avila-opt %s --avila-decompose-composites --split-input-file | FileCheck %s

// Heads become a batch dimension: [B, L, H·d] -> [B, L, H, d] -> [B, H, L, d],
// keys transposed to [B, H, d, Lk], then matmul, scale, softmax, matmul.
// CHECK-LABEL: func.func @cross_attention
// CHECK-SAME: (%[[Q:.*]]: tensor<?x?x16xf32>, %[[KV:.*]]: tensor<?x77x16xf32>)
// CHECK-DAG: %[[QB:.*]] = avila.dim %[[Q]][0]
// CHECK-DAG: %[[QL:.*]] = avila.dim %[[Q]][1]
// CHECK: %[[Q4:.*]] = avila.reshape %[[Q]] dims(%[[QB]], %[[QL]]) : tensor<?x?x16xf32> -> tensor<?x?x4x4xf32>
// CHECK: %[[QT:.*]] = avila.transpose %[[Q4]] perm [0, 2, 1, 3] : (tensor<?x?x4x4xf32>) -> tensor<?x4x?x4xf32>
// CHECK: %[[KT:.*]] = avila.transpose %{{.*}} perm [0, 2, 3, 1] : (tensor<?x77x4x4xf32>) -> tensor<?x4x4x77xf32>
// CHECK: %[[VT:.*]] = avila.transpose %{{.*}} perm [0, 2, 1, 3] : (tensor<?x77x4x4xf32>) -> tensor<?x4x77x4xf32>
// CHECK: %[[S:.*]] = avila.matmul %[[QT]], %[[KT]] : (tensor<?x4x?x4xf32>, tensor<?x4x4x77xf32>) -> tensor<?x4x?x77xf32>
// CHECK: %[[SS:.*]] = avila.mul_scalar %[[S]], 5.000000e-01
// CHECK: %[[P:.*]] = avila.softmax %[[SS]] axis 3
// CHECK: %[[O:.*]] = avila.matmul %[[P]], %[[VT]] : (tensor<?x4x?x77xf32>, tensor<?x4x77x4xf32>) -> tensor<?x4x?x4xf32>
// CHECK: %[[OT:.*]] = avila.transpose %[[O]] perm [0, 2, 1, 3]
// CHECK: %[[R:.*]] = avila.reshape %[[OT]] dims({{.*}}) : tensor<?x?x4x4xf32> -> tensor<?x?x16xf32>
// CHECK: return %[[R]]
// CHECK-NOT: avila.attention
func.func @cross_attention(%q: tensor<?x?x16xf32>, %kv: tensor<?x77x16xf32>) -> tensor<?x?x16xf32> {
  %0 = avila.attention %q, %kv, %kv heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) -> tensor<?x?x16xf32>
  return %0 : tensor<?x?x16xf32>
}

// -----

// A batched mask gets a unit head dimension and is added to the scores.
// CHECK-LABEL: func.func @masked
// CHECK: %[[S:.*]] = avila.mul_scalar %{{.*}}, 2.500000e-01
// CHECK: %[[M:.*]] = avila.reshape %{{.*}} : tensor<2x3x5xf32> -> tensor<2x1x3x5xf32>
// CHECK: avila.add %[[S]], %[[M]] : (tensor<2x2x3x5xf32>, tensor<2x1x3x5xf32>) -> tensor<2x2x3x5xf32>
// CHECK: avila.softmax
func.func @masked(%q: tensor<2x3x8xf32>, %k: tensor<2x5x8xf32>, %v: tensor<2x5x6xf32>, %m: tensor<2x3x5xf32>) -> tensor<2x3x6xf32> {
  %0 = avila.attention %q, %k, %v mask %m heads 2 scale 0.25 : (tensor<2x3x8xf32>, tensor<2x5x8xf32>, tensor<2x5x6xf32>, tensor<2x3x5xf32>) -> tensor<2x3x6xf32>
  return %0 : tensor<2x3x6xf32>
}

// -----

// Causal attention stays: its mask depends on lengths known only at run time.
// CHECK-LABEL: func.func @causal
// CHECK: avila.attention %{{.*}} heads 2 causal
func.func @causal(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %0 = avila.attention %x, %x, %x heads 2 causal : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// CHECK-LABEL: func.func @geglu
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x64xf32>)
// CHECK: %[[H:.*]]:2 = avila.split %[[X]] axis 2 : tensor<?x?x64xf32> -> tensor<?x?x32xf32>, tensor<?x?x32xf32>
// CHECK: %[[G:.*]] = avila.gelu %[[H]]#1 : tensor<?x?x32xf32>
// CHECK: %[[R:.*]] = avila.mul %[[H]]#0, %[[G]]
// CHECK: return %[[R]]
func.func @geglu(%x: tensor<?x?x64xf32>) -> tensor<?x?x32xf32> {
  %0 = avila.geglu %x : (tensor<?x?x64xf32>) -> tensor<?x?x32xf32>
  return %0 : tensor<?x?x32xf32>
}

// -----

// CHECK-LABEL: func.func @gates
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[S:.*]] = avila.sigmoid %[[X]]
// CHECK: %[[SILU:.*]] = avila.mul %[[X]], %[[S]]
// CHECK: %[[SC:.*]] = avila.mul_scalar %[[X]], 1.702000e+00
// CHECK: %[[QS:.*]] = avila.sigmoid %[[SC]]
// CHECK: %[[QG:.*]] = avila.mul %[[X]], %[[QS]]
// CHECK: return %[[SILU]], %[[QG]]
func.func @gates(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = avila.silu %x : tensor<4xf32>
  %1 = avila.quick_gelu %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}
