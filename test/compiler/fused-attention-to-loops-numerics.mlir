// The loops the pass emits, compiled for the host and run, agree with
// attention computed naively in this file (scores materialized, softmax in
// three passes) on 2 heads, odd lengths (Lq = 5, Lk = 7) and a strided query
// view.
// RUN: avila-opt %s --avila-fused-attention-to-loops --convert-scf-to-cf \
// RUN:   --expand-strided-metadata --convert-to-llvm \
// RUN:   --reconcile-unrealized-casts \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:   -shared-libs=%mlir_c_runner_utils \
// RUN: | FileCheck %s

// CHECK: compared 80
// CHECK-NEXT: mismatches 0

#query = strided<[160, 32, 1], offset: 8>


func.func @attention(%q: memref<2x5x16xf32, #query>, %k: memref<2x7x16xf32>, %v: memref<2x7x8xf32>, %o: memref<2x5x8xf32>) {
  avila.fused_attention heads 2 scale 0.35355339059327373 ins(%q, %k, %v : memref<2x5x16xf32, #query>, memref<2x7x16xf32>, memref<2x7x8xf32>) outs(%o : memref<2x5x8xf32>)
  return
}

// buffer[b, l, c] = amplitude · sin(frequency · (flat index) + phase), so
// that scores differ by several units and the softmax is far from uniform.
func.func @fill(%buffer: memref<?x?x?xf32>, %frequency: f32, %phase: f32, %amplitude: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %n0 = memref.dim %buffer, %c0 : memref<?x?x?xf32>
  %n1 = memref.dim %buffer, %c1 : memref<?x?x?xf32>
  %n2 = memref.dim %buffer, %c2 : memref<?x?x?xf32>
  scf.for %b = %c0 to %n0 step %c1 {
    scf.for %l = %c0 to %n1 step %c1 {
      scf.for %c = %c0 to %n2 step %c1 {
        %row = arith.muli %b, %n1 : index
        %row2 = arith.addi %row, %l : index
        %flat0 = arith.muli %row2, %n2 : index
        %flat = arith.addi %flat0, %c : index
        %i = arith.index_cast %flat : index to i64
        %x = arith.sitofp %i : i64 to f32
        %arg = arith.mulf %x, %frequency : f32
        %arg2 = arith.addf %arg, %phase : f32
        %s = math.sin %arg2 : f32
        %value = arith.mulf %s, %amplitude : f32
        memref.store %value, %buffer[%b, %l, %c] : memref<?x?x?xf32>
      }
    }
  }
  return
}

// softmax(scale · q kᵀ) v per head with the scores of a row materialized.
func.func @reference(%q: memref<2x5x16xf32, #query>, %k: memref<2x7x16xf32>, %v: memref<2x7x8xf32>, %o: memref<2x5x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %lowest = arith.constant -3.4e38 : f32
  %scale = arith.constant 0.35355339059327373 : f32
  %scores = memref.alloc() : memref<7xf32>
  scf.for %b = %c0 to %c2 step %c1 {
    scf.for %h = %c0 to %c2 step %c1 {
      scf.for %i = %c0 to %c5 step %c1 {
        %qc = arith.muli %h, %c8 : index
        %vc = arith.muli %h, %c4 : index
        scf.for %j = %c0 to %c7 step %c1 {
          %dot = scf.for %d = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
            %ch = arith.addi %qc, %d : index
            %x = memref.load %q[%b, %i, %ch] : memref<2x5x16xf32, #query>
            %y = memref.load %k[%b, %j, %ch] : memref<2x7x16xf32>
            %p = arith.mulf %x, %y : f32
            %next = arith.addf %acc, %p : f32
            scf.yield %next : f32
          }
          %s = arith.mulf %dot, %scale : f32
          memref.store %s, %scores[%j] : memref<7xf32>
        }
        %max = scf.for %j = %c0 to %c7 step %c1 iter_args(%m = %lowest) -> f32 {
          %s = memref.load %scores[%j] : memref<7xf32>
          %next = arith.maximumf %m, %s : f32
          scf.yield %next : f32
        }
        %sum = scf.for %j = %c0 to %c7 step %c1 iter_args(%acc = %zero) -> f32 {
          %s = memref.load %scores[%j] : memref<7xf32>
          %shifted = arith.subf %s, %max : f32
          %e = math.exp %shifted : f32
          memref.store %e, %scores[%j] : memref<7xf32>
          %next = arith.addf %acc, %e : f32
          scf.yield %next : f32
        }
        scf.for %e = %c0 to %c4 step %c1 {
          %ch = arith.addi %vc, %e : index
          %weighted = scf.for %j = %c0 to %c7 step %c1 iter_args(%acc = %zero) -> f32 {
            %p = memref.load %scores[%j] : memref<7xf32>
            %x = memref.load %v[%b, %j, %ch] : memref<2x7x8xf32>
            %px = arith.mulf %p, %x : f32
            %next = arith.addf %acc, %px : f32
            scf.yield %next : f32
          }
          %out = arith.divf %weighted, %sum : f32
          memref.store %out, %o[%b, %i, %ch] : memref<2x5x8xf32>
        }
      }
    }
  }
  memref.dealloc %scores : memref<7xf32>
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c5 = arith.constant 5 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %tolerance = arith.constant 1.0e-5 : f32
  %qBuffer = memref.alloc() : memref<2x5x32xf32>
  %k = memref.alloc() : memref<2x7x16xf32>
  %v = memref.alloc() : memref<2x7x8xf32>
  %o = memref.alloc() : memref<2x5x8xf32>
  %expected = memref.alloc() : memref<2x5x8xf32>
  %f0 = arith.constant 0.37 : f32
  %f1 = arith.constant 0.23 : f32
  %f2 = arith.constant 0.71 : f32
  %p0 = arith.constant 0.1 : f32
  %p1 = arith.constant 1.3 : f32
  %p2 = arith.constant 2.9 : f32
  %a0 = arith.constant 1.5 : f32
  %a1 = arith.constant 2.0 : f32
  %a2 = arith.constant 1.0 : f32
  %qDynamic = memref.cast %qBuffer : memref<2x5x32xf32> to memref<?x?x?xf32>
  %kDynamic = memref.cast %k : memref<2x7x16xf32> to memref<?x?x?xf32>
  %vDynamic = memref.cast %v : memref<2x7x8xf32> to memref<?x?x?xf32>
  func.call @fill(%qDynamic, %f0, %p0, %a0) : (memref<?x?x?xf32>, f32, f32, f32) -> ()
  func.call @fill(%kDynamic, %f1, %p1, %a1) : (memref<?x?x?xf32>, f32, f32, f32) -> ()
  func.call @fill(%vDynamic, %f2, %p2, %a2) : (memref<?x?x?xf32>, f32, f32, f32) -> ()
  %q = memref.subview %qBuffer[0, 0, 8] [2, 5, 16] [1, 1, 1] : memref<2x5x32xf32> to memref<2x5x16xf32, #query>
  func.call @attention(%q, %k, %v, %o) : (memref<2x5x16xf32, #query>, memref<2x7x16xf32>, memref<2x7x8xf32>, memref<2x5x8xf32>) -> ()
  func.call @reference(%q, %k, %v, %expected) : (memref<2x5x16xf32, #query>, memref<2x7x16xf32>, memref<2x7x8xf32>, memref<2x5x8xf32>) -> ()

  // A NaN difference compares unordered-greater, so it counts as a mismatch.
  %zeroCount = arith.constant 0 : i64
  %oneCount = arith.constant 1 : i64
  %counts:2 = scf.for %b = %c0 to %c2 step %c1 iter_args(%n = %zeroCount, %bad = %zeroCount) -> (i64, i64) {
    %rows:2 = scf.for %i = %c0 to %c5 step %c1 iter_args(%n1 = %n, %bad1 = %bad) -> (i64, i64) {
      %cols:2 = scf.for %c = %c0 to %c8 step %c1 iter_args(%n2 = %n1, %bad2 = %bad1) -> (i64, i64) {
        %x = memref.load %o[%b, %i, %c] : memref<2x5x8xf32>
        %y = memref.load %expected[%b, %i, %c] : memref<2x5x8xf32>
        %difference = arith.subf %x, %y : f32
        %error = math.absf %difference : f32
        %wrong = arith.cmpf ugt, %error, %tolerance : f32
        %increment = arith.select %wrong, %oneCount, %zeroCount : i64
        %nextBad = arith.addi %bad2, %increment : i64
        %nextN = arith.addi %n2, %oneCount : i64
        scf.yield %nextN, %nextBad : i64, i64
      }
      scf.yield %cols#0, %cols#1 : i64, i64
    }
    scf.yield %rows#0, %rows#1 : i64, i64
  }
  vector.print str "compared "
  vector.print %counts#0 : i64
  vector.print str "mismatches "
  vector.print %counts#1 : i64
  memref.dealloc %qBuffer : memref<2x5x32xf32>
  memref.dealloc %k : memref<2x7x16xf32>
  memref.dealloc %v : memref<2x7x8xf32>
  memref.dealloc %o : memref<2x5x8xf32>
  memref.dealloc %expected : memref<2x5x8xf32>
  return
}
