// RUN: avila-opt %s --avila-approximate-erf | FileCheck %s

// SPIR-V has no erf: math.erf becomes MLIR's rational approximation, a
// ratio of polynomials in |x| (fma chains) with the sign restored.
// CHECK-LABEL: func.func @gelu
// CHECK-SAME: (%[[X:.*]]: f32) -> f32
// CHECK-NOT: math.erf
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[C1:.*]] = arith.constant 1.12837911 : f32
// CHECK: %[[NEGATIVE:.*]] = arith.cmpf olt, %[[X]], %[[ZERO]] : f32
// CHECK: %[[MINUS:.*]] = arith.negf %[[X]] : f32
// CHECK: %[[ABS:.*]] = arith.select %[[NEGATIVE]], %[[MINUS]], %[[X]] : f32
// CHECK: math.fma %[[ABS]]
// CHECK: %[[Q:.*]] = arith.divf
// CHECK: %[[R:.*]] = arith.select
// CHECK: %[[NEG_R:.*]] = arith.negf %[[R]] : f32
// CHECK: %[[RESULT:.*]] = arith.select %[[NEGATIVE]], %[[NEG_R]], %[[R]] : f32
// CHECK: return %[[RESULT]] : f32
// CHECK-NOT: math.erf
func.func @gelu(%x: f32) -> f32 {
  %e = math.erf %x : f32
  return %e : f32
}
