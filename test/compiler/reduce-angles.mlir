// RUN: avila-opt %s --avila-reduce-angles | FileCheck %s

// Each f32 angle loses its whole turns, once for its sin and its cos:
// k = roundeven(x / 2π), then x − k·2π with 2π in three parts, the first
// two short enough that k times them is exact.
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[X:.*]]: f32)
// CHECK-DAG: %[[INV:.*]] = arith.constant 0.159154937 : f32
// CHECK-DAG: %[[HIGH:.*]] = arith.constant 6.28320313 : f32
// CHECK-DAG: %[[MIDDLE:.*]] = arith.constant -1.78143382E-5 : f32
// CHECK-DAG: %[[LOW:.*]] = arith.constant -3.4822063E-9 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[X]], %[[INV]] : f32
// CHECK: %[[TURNS:.*]] = math.roundeven %[[SCALED]] : f32
// CHECK: %[[P1:.*]] = arith.mulf %[[TURNS]], %[[HIGH]] : f32
// CHECK: %[[R1:.*]] = arith.subf %[[X]], %[[P1]] : f32
// CHECK: %[[P2:.*]] = arith.mulf %[[TURNS]], %[[MIDDLE]] : f32
// CHECK: %[[R2:.*]] = arith.subf %[[R1]], %[[P2]] : f32
// CHECK: %[[P3:.*]] = arith.mulf %[[TURNS]], %[[LOW]] : f32
// CHECK: %[[R3:.*]] = arith.subf %[[R2]], %[[P3]] : f32
// CHECK-NOT: math.roundeven
// CHECK: %[[SIN:.*]] = math.sin %[[R3]] : f32
// CHECK: %[[COS:.*]] = math.cos %[[R3]] : f32
// CHECK: return %[[SIN]], %[[COS]]
func.func @embedding(%x: f32) -> (f32, f32) {
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  return %s, %c : f32, f32
}

// Other element types are left alone: the constants are f32's.
// CHECK-LABEL: func.func @half
// CHECK-NOT: math.roundeven
// CHECK: math.sin %{{.*}} : f16
func.func @half(%x: f16) -> f16 {
  %s = math.sin %x : f16
  return %s : f16
}
