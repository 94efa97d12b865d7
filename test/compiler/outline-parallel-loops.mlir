// RUN: avila-opt %s --avila-outline-parallel-loops | FileCheck %s

// The first two dimensions (from 0, step 1) become items; the third stays a
// loop inside the task. The constant is cloned, the bound and buffers are
// passed.
// CHECK: func.func private @avila_parallel.k_task0(index, memref<?x8x?xf32>, index, index)
// CHECK-LABEL: func.func private @k_task0
// CHECK-SAME: (%[[BEGIN:.*]]: index, %[[END:.*]]: index, %[[X:.*]]: memref<?x8x?xf32>, %[[N:.*]]: index, %[[W:.*]]: index)
// CHECK: %[[ZERO:.*]] = arith.constant 0.0
// CHECK: scf.for %[[ITEM:.*]] = %[[BEGIN]] to %[[END]]
// CHECK-DAG: %[[I:.*]] = arith.divui %[[ITEM]], %{{.*}}
// CHECK-DAG: %[[J:.*]] = arith.remui %[[ITEM]], %{{.*}}
// CHECK: scf.parallel (%[[K:.*]]) =
// CHECK: memref.store %[[ZERO]], %[[X]][%[[I]], %[[J]], %[[K]]]
// CHECK-LABEL: func.func @k
// CHECK: %[[ITEMS:.*]] = arith.muli
// CHECK: call @avila_parallel.k_task0(%[[ITEMS]], %arg0, %{{.*}}, %{{.*}})
// CHECK-NOT: scf.parallel
func.func @k(%x: memref<?x8x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x8x?xf32>
  %w = memref.dim %x, %c2 : memref<?x8x?xf32>
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%n, %c8, %w) step (%c1, %c1, %c1) {
    memref.store %zero, %x[%i, %j, %k] : memref<?x8x?xf32>
  }
  return
}

// A loop that starts at 1 has nothing to split: it stays.
// CHECK-LABEL: func.func @offset
// CHECK: scf.parallel
// CHECK-NOT: call
func.func @offset(%x: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c1) to (%n) step (%c1) {
    memref.store %zero, %x[%i] : memref<?xf32>
  }
  return
}
