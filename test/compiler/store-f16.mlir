// RUN: avila-opt %s --avila-store-f16 | FileCheck %s

// Precision fp16: a kernel's f32 argument buffers (and their views) hold
// f16; loads widen to f32 and stores round, while scratch buffers, constant
// tables and all arithmetic stay f32.

memref.global "private" constant @table : memref<2xf32> = dense<[1.0, 2.0]>

// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x4xf16>, %[[IDS:[a-z0-9]+]]: memref<?xi32>, %[[Y:[a-z0-9]+]]: memref<?x4xf16>)
// CHECK-DAG: %[[XF:.*]] = memref.reinterpret_cast %[[X]] {{.*}} : memref<?x4xf16> to memref<?xf16>
// CHECK-DAG: %[[YF:.*]] = memref.reinterpret_cast %[[Y]] {{.*}} : memref<?x4xf16> to memref<?xf16>
// CHECK-DAG: %[[SCRATCH:.*]] = memref.alloc({{.*}}) : memref<?xf32>
// CHECK-DAG: %[[TABLE:.*]] = memref.get_global @table : memref<2xf32>
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: %[[H:.*]] = memref.load %[[XF]][%[[I]]] : memref<?xf16>
// CHECK-NEXT: %[[V:.*]] = arith.extf %[[H]] : f16 to f32
// CHECK-NEXT: %[[T:.*]] = memref.load %[[TABLE]]{{.*}} : memref<2xf32>
// CHECK-NEXT: %[[P:.*]] = arith.mulf %[[V]], %[[T]] : f32
// CHECK-NEXT: memref.store %[[P]], %[[SCRATCH]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[Q:.*]] = memref.load %[[SCRATCH]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: %[[R:.*]] = arith.truncf %[[Q]] : f32 to f16
// CHECK-NEXT: memref.store %[[R]], %[[YF]][%[[I]]] : memref<?xf16>
func.func @elementwise(%x: memref<?x4xf32>, %ids: memref<?xi32>, %y: memref<?x4xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %y, %c0 : memref<?x4xf32>
  %len = arith.muli %n, %c4 : index
  %xf = memref.reinterpret_cast %x to offset: [0], sizes: [%len], strides: [1] : memref<?x4xf32> to memref<?xf32>
  %yf = memref.reinterpret_cast %y to offset: [0], sizes: [%len], strides: [1] : memref<?x4xf32> to memref<?xf32>
  %scratch = memref.alloc(%len) : memref<?xf32>
  %table = memref.get_global @table : memref<2xf32>
  scf.parallel (%i) = (%c0) to (%len) step (%c1) {
    %v = memref.load %xf[%i] : memref<?xf32>
    %t = memref.load %table[%c1] : memref<2xf32>
    %p = arith.mulf %v, %t : f32
    memref.store %p, %scratch[%i] : memref<?xf32>
    %q = memref.load %scratch[%i] : memref<?xf32>
    memref.store %q, %yf[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// A sum accumulated into an argument in place is carried through its loop
// in f32, loaded before it and stored once after it: rounded once.
// CHECK-LABEL: func.func @accumulate
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?xf16>, %[[OUT:[a-z0-9]+]]: memref<4xf16>)
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: %[[INIT16:.*]] = memref.load %[[OUT]][%[[I]]] : memref<4xf16>
// CHECK-NEXT: %[[INIT:.*]] = arith.extf %[[INIT16]] : f16 to f32
// CHECK-NEXT: %[[SUM:.*]] = scf.for %{{.*}} = {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (f32) {
// CHECK-NEXT: %[[V16:.*]] = memref.load %[[A]]
// CHECK-NEXT: %[[V:.*]] = arith.extf %[[V16]] : f16 to f32
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[ACC]], %[[V]] : f32
// CHECK-NEXT: scf.yield %[[NEXT]] : f32
// CHECK-NEXT: }
// CHECK-NEXT: %[[ROUNDED:.*]] = arith.truncf %[[SUM]] : f32 to f16
// CHECK-NEXT: memref.store %[[ROUNDED]], %[[OUT]][%[[I]]] : memref<4xf16>
func.func @accumulate(%a: memref<?xf32>, %out: memref<4xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %a, %c0 : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.for %k = %c0 to %n step %c1 {
      %v = memref.load %a[%k] : memref<?xf32>
      %s = memref.load %out[%i] : memref<4xf32>
      %r = arith.addf %s, %v : f32
      memref.store %r, %out[%i] : memref<4xf32>
    }
    scf.reduce
  }
  return
}

// Functions that are not kernels keep their types.
// CHECK-LABEL: func.func @host
// CHECK-SAME: memref<4xf32>
func.func @host(%x: memref<4xf32>) {
  return
}

// A vector load of an f16 buffer reads a vector of halves and widens it.
// CHECK-LABEL: func.func @vector_load
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<64xf16>,
// CHECK: %[[H:.*]] = vector.load %[[X]][%{{.*}}] : memref<64xf16>, vector<8xf16>
// CHECK-NEXT: arith.extf %[[H]] : vector<8xf16> to vector<8xf32>
func.func @vector_load(%x: memref<64xf32>, %y: memref<8xvector<8xf32>>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %at = arith.muli %i, %c8 : index
    %v = vector.load %x[%at] : memref<64xf32>, vector<8xf32>
    memref.store %v, %y[%i] : memref<8xvector<8xf32>>
    scf.reduce
  }
  return
}
