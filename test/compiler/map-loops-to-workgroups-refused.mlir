// Kernels the one-invocation-per-iteration mapping cannot run are refused.
// RUN: not avila-opt %s --split-input-file --avila-map-loops-to-workgroups 2>&1 | FileCheck %s

// CHECK: error: 'scf.parallel' op must start at 0 with steps of 1 to run on a GPU
func.func @offset(%x: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  scf.parallel (%i) = (%c1) to (%n) step (%c1) {
    memref.store %f, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A store on the host side would run once on the CPU, which has no IR left.
// CHECK: error: 'memref.store' op cannot run on the host side of a GPU kernel
func.func @host_store(%x: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  memref.store %f, %x[%c0] : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    memref.store %f, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// A reduction across iterations has no invocation to run in.
// CHECK: error: 'scf.parallel' op reduces across iterations, which one invocation per iteration cannot do
func.func @reduction(%x: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %z = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%z) -> f32 {
    %v = memref.load %x[%i] : memref<?xf32>
    scf.reduce(%v : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  return
}
