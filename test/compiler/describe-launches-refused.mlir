// A kernel operand that is neither a buffer nor a size (an f32 argument the
// loop mapping cannot compute in the kernel) is refused, not bound as a buffer.
// RUN: not avila-opt %s --avila-map-loops-to-workgroups --gpu-kernel-outlining \
// RUN:   --avila-describe-launches 2>&1 | FileCheck %s

// CHECK: error: 'gpu.launch_func' op passes a 'f32' to its kernel, which takes only buffers and sizes
func.func @scalar_float(%x: memref<?xf32>, %n: index, %e: f32) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %x[%i] : memref<?xf32>
    %w = arith.addf %v, %e : f32
    memref.store %w, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
