// RUN: avila-opt %s --avila-map-loops-to-workgroups | FileCheck %s --check-prefixes=CHECK,SIZE64
// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-map-loops-to-workgroups{workgroup-size=128})' | FileCheck %s --check-prefixes=CHECK,SIZE128

// A 3-D parallel loop of a·b·c iterations: (total + size) / size workgroups of
// `size` invocations, laid out as x · y with y = ceil(groups / 65535) and
// x = ceil(groups / y); invocation (y · x_count + x) · size + thread runs
// the iteration of that linear index if it is below the total, its indices
// recovered row-major. The float the host computed from a size (a mean's
// count) is recomputed inside the launch, not passed to it.
// CHECK-LABEL: func.func @mean
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?xf32>, %[[O:[a-z0-9]+]]: memref<?xf32>, %[[A:[a-z0-9]+]]: index, %[[B:[a-z0-9]+]]: index, %[[C:[a-z0-9]+]]: index)
// CHECK: %[[N:.*]] = memref.dim %[[X]]
// CHECK-NOT: scf.parallel
// CHECK: %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[T0:.*]] = arith.muli %[[ONE]], %[[A]] : index
// CHECK-NEXT: %[[T1:.*]] = arith.muli %[[T0]], %[[B]] : index
// CHECK-NEXT: %[[TOTAL:.*]] = arith.muli %[[T1]], %[[C]] : index
// SIZE64-NEXT: %[[SIZE:.*]] = arith.constant 64 : index
// SIZE128-NEXT: %[[SIZE:.*]] = arith.constant 128 : index
// CHECK-NEXT: %[[PADDED:.*]] = arith.addi %[[TOTAL]], %[[SIZE]] : index
// CHECK-NEXT: %[[GROUPS:.*]] = arith.divui %[[PADDED]], %[[SIZE]] : index
// CHECK-NEXT: %[[LIMIT:.*]] = arith.constant 65535 : index
// CHECK-NEXT: %[[ROWS:.*]] = arith.ceildivui %[[GROUPS]], %[[LIMIT]] : index
// CHECK-NEXT: %[[COLUMNS:.*]] = arith.ceildivui %[[GROUPS]], %[[ROWS]] : index
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %{{.*}}) in (%[[GX:.*]] = %[[COLUMNS]], %{{.*}} = %[[ROWS]], %{{.*}} = %[[C1]]) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[SIZE]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]]) {
// CHECK-NEXT: %[[WIDE:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK-NEXT: %[[COUNT:.*]] = arith.sitofp %[[WIDE]] : i64 to f32
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[BY]], %[[GX]] : index
// CHECK-NEXT: %[[GROUP:.*]] = arith.addi %[[ROW]], %[[BX]] : index
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[GROUP]], %[[SIZE]] : index
// CHECK-NEXT: %[[LINEAR:.*]] = arith.addi %[[FIRST]], %[[TX]] : index
// CHECK-NEXT: %[[IN_RANGE:.*]] = arith.cmpi ult, %[[LINEAR]], %[[TOTAL]] : index
// CHECK-NEXT: scf.if %[[IN_RANGE]] {
// CHECK-NEXT: %[[K:.*]] = arith.remui %[[LINEAR]], %[[C]] : index
// CHECK-NEXT: %[[REST:.*]] = arith.divui %[[LINEAR]], %[[C]] : index
// CHECK-NEXT: %[[J:.*]] = arith.remui %[[REST]], %[[B]] : index
// CHECK-NEXT: %[[I:.*]] = arith.divui %[[REST]], %[[B]] : index
// CHECK-NEXT: %[[IJ:.*]] = arith.addi %[[I]], %[[J]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[IJ]], %[[K]] : index
// CHECK-NEXT: %[[V:.*]] = memref.load %[[X]][%[[AT]]] : memref<?xf32>
// CHECK-NEXT: %[[MEAN:.*]] = arith.divf %[[V]], %[[COUNT]] : f32
// CHECK-NEXT: memref.store %[[MEAN]], %[[O]][%[[AT]]] : memref<?xf32>
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @mean(%x: memref<?xf32>, %o: memref<?xf32>, %a: index, %b: index, %c: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = memref.dim %x, %c0 : memref<?xf32>
  %i64 = arith.index_cast %n : index to i64
  %count = arith.sitofp %i64 : i64 to f32
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%a, %b, %c) step (%c1, %c1, %c1) {
    %t = arith.addi %i, %j : index
    %u = arith.addi %t, %k : index
    %v = memref.load %x[%u] : memref<?xf32>
    %w = arith.divf %v, %count : f32
    memref.store %w, %o[%u] : memref<?xf32>
    scf.reduce
  }
  return
}
