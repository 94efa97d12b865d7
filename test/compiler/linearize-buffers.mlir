// RUN: avila-opt %s --avila-linearize-buffers --canonicalize --cse | FileCheck %s
// RUN: avila-opt %s --avila-linearize-buffers | FileCheck %s --check-prefix=RAW

// Every load and store of a loop through a view of a dynamic root buffer
// addresses the root's 1-D reinterpret_cast at offset + Σ index·stride,
// computed on the host side; a memref.dim of a view is the size the view
// was made with.

// A strided subview [1, 2] [n, 4] [1, 2] of a ?x? buffer: offset
// 1·cols + 2, strides (cols, 2).
// CHECK-LABEL: func.func @subview
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?x?xf32>, %[[O:[a-z0-9]+]]: memref<?x4xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[N:.*]] = memref.dim %[[O]], %[[C0]] : memref<?x4xf32>
// CHECK-DAG: %[[O_LEN:.*]] = arith.muli %[[N]], %[[C4]] : index
// CHECK-DAG: %[[O_FLAT:.*]] = memref.reinterpret_cast %[[O]] to offset: [0], sizes: [%[[O_LEN]]], strides: [1] : memref<?x4xf32> to memref<?xf32>
// CHECK-DAG: %[[ROWS:.*]] = memref.dim %[[A]], %[[C0]] : memref<?x?xf32>
// CHECK-DAG: %[[COLS:.*]] = memref.dim %[[A]], %[[C1]] : memref<?x?xf32>
// CHECK-DAG: %[[A_LEN:.*]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK-DAG: %[[A_FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [%[[A_LEN]]], strides: [1] : memref<?x?xf32> to memref<?xf32>
// CHECK-DAG: %[[OFFSET:.*]] = arith.addi %[[COLS]], %[[C2]] : index
// CHECK-NOT: memref.subview
// The view's row count is the size it was made with: the loop's bound.
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[C0]], %[[C0]]) to (%[[N]], %[[C4]])
// CHECK-NEXT: %[[IS:.*]] = arith.muli %[[I]], %[[COLS]] : index
// CHECK-NEXT: %[[AT0:.*]] = arith.addi %[[OFFSET]], %[[IS]] : index
// CHECK-NEXT: %[[JS:.*]] = arith.muli %[[J]], %[[C2]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[AT0]], %[[JS]] : index
// CHECK-NEXT: %[[V:.*]] = memref.load %[[A_FLAT]][%[[AT]]] : memref<?xf32>
// CHECK-NEXT: %[[OI:.*]] = arith.muli %[[I]], %[[C4]] : index
// CHECK-NEXT: %[[OAT:.*]] = arith.addi %[[OI]], %[[J]] : index
// CHECK-NEXT: memref.store %[[V]], %[[O_FLAT]][%[[OAT]]] : memref<?xf32>
// CHECK-NOT: memref.subview
// CHECK: return
func.func @subview(%a: memref<?x?xf32>, %o: memref<?x4xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %n = memref.dim %o, %c0 : memref<?x4xf32>
  %sv = memref.subview %a[1, 2] [%n, 4] [1, 2] : memref<?x?xf32> to memref<?x4xf32, strided<[?, 2], offset: ?>>
  %rows = memref.dim %sv, %c0 : memref<?x4xf32, strided<[?, 2], offset: ?>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%rows, %c4) step (%c1, %c1) {
    %v = memref.load %sv[%i, %j] : memref<?x4xf32, strided<[?, 2], offset: ?>>
    memref.store %v, %o[%i, %j] : memref<?x4xf32>
    scf.reduce
  }
  return
}

// expand_shape [m, 4] of a ?: strides (4, 1); collapse_shape of a ?x?:
// stride 1, its size rows·cols (which sizes the scratch buffer). The
// private alloca stays as it is; the scratch buffer is flattened like an
// argument and its dealloc dropped.
// CHECK-LABEL: func.func @expand_collapse
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?xf32>, %[[B:[a-z0-9]+]]: memref<?x?xf32>, %[[M:[a-z0-9]+]]: index)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[ROWS:.*]] = memref.dim %[[B]], %[[C0]] : memref<?x?xf32>
// CHECK-DAG: %[[COLS:.*]] = memref.dim %[[B]], %[[C1]] : memref<?x?xf32>
// CHECK-DAG: %[[B_LEN:.*]] = arith.muli %[[ROWS]], %[[COLS]] : index
// CHECK-DAG: %[[B_FLAT:.*]] = memref.reinterpret_cast %[[B]] to offset: [0], sizes: [%[[B_LEN]]], strides: [1] : memref<?x?xf32> to memref<?xf32>
// CHECK-DAG: %[[A_LEN:.*]] = memref.dim %[[A]], %[[C0]] : memref<?xf32>
// CHECK-DAG: %[[A_FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0], sizes: [%[[A_LEN]]], strides: [1] : memref<?xf32> to memref<?xf32>
// CHECK-DAG: %[[SCRATCH:.*]] = memref.alloc(%[[B_LEN]]) : memref<?xf32>
// CHECK-DAG: %[[S_FLAT:.*]] = memref.reinterpret_cast %[[SCRATCH]] to offset: [0], sizes: [%[[B_LEN]]], strides: [1] : memref<?xf32> to memref<?xf32>
// CHECK-NOT: memref.expand_shape
// CHECK-NOT: memref.collapse_shape
// CHECK: scf.parallel (%[[I:.*]]) = (%[[C0]]) to (%[[M]]) step (%[[C1]])
// CHECK-NEXT: %[[PRIVATE:.*]] = memref.alloca() : memref<4xf32>
// CHECK-NEXT: %[[IS:.*]] = arith.muli %[[I]], %[[C4]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[IS]], %[[C3]] : index
// CHECK-NEXT: %[[V:.*]] = memref.load %[[A_FLAT]][%[[AT]]] : memref<?xf32>
// CHECK-NEXT: memref.store %[[V]], %[[PRIVATE]][%[[C0]]] : memref<4xf32>
// CHECK-NEXT: %[[W:.*]] = memref.load %[[PRIVATE]][%[[C0]]] : memref<4xf32>
// CHECK-NEXT: memref.store %[[W]], %[[B_FLAT]][%[[I]]] : memref<?xf32>
// CHECK-NEXT: memref.store %[[W]], %[[S_FLAT]][%[[I]]] : memref<?xf32>
// CHECK-NOT: memref.dealloc
// CHECK: return
// RAW-LABEL: func.func @expand_collapse
// RAW: memref.alloca() : memref<4xf32>
// RAW-NOT: memref.dealloc
// RAW: return
func.func @expand_collapse(%a: memref<?xf32>, %b: memref<?x?xf32>, %m: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = memref.expand_shape %a [[0, 1]] output_shape [%m, 4] : memref<?xf32> into memref<?x4xf32>
  %c = memref.collapse_shape %b [[0, 1]] : memref<?x?xf32> into memref<?xf32>
  %rows = memref.dim %e, %c0 : memref<?x4xf32>
  %total = memref.dim %c, %c0 : memref<?xf32>
  %scratch = memref.alloc(%total) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%rows) step (%c1) {
    %private = memref.alloca() : memref<4xf32>
    %c3 = arith.constant 3 : index
    %v = memref.load %e[%i, %c3] : memref<?x4xf32>
    memref.store %v, %private[%c0] : memref<4xf32>
    %w = memref.load %private[%c0] : memref<4xf32>
    memref.store %w, %c[%i] : memref<?xf32>
    memref.store %w, %scratch[%i] : memref<?xf32>
    scf.reduce
  }
  memref.dealloc %scratch : memref<?xf32>
  return
}

// A reshape to [n, 8], its shape stored by constant indices: row-major
// strides (8, 1) of its source; the reshape, its shape buffer and the
// stores into it are erased by the pass itself.
// CHECK-LABEL: func.func @reshape
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?xf32>, %[[O:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index)
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[O_FLAT:.*]] = memref.reinterpret_cast %[[O]] to offset: [0]
// CHECK-DAG: %[[A_FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[N]]
// CHECK-NEXT: scf.for %[[J:.*]] = %{{.*}} to %[[C8]]
// CHECK-NEXT: %[[IS:.*]] = arith.muli %[[I]], %[[C8]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[IS]], %[[J]] : index
// CHECK-NEXT: %[[V:.*]] = memref.load %[[A_FLAT]][%[[AT]]] : memref<?xf32>
// CHECK-NEXT: memref.store %[[V]], %[[O_FLAT]][%[[J]]] : memref<?xf32>
// RAW-LABEL: func.func @reshape(
// RAW-NOT: memref<2xindex>
// RAW-NOT: memref.reshape
// RAW: memref.load %reinterpret_cast
// RAW-NOT: memref.reshape
// RAW: return
func.func @reshape(%a: memref<?xf32>, %o: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %shape = memref.alloc() : memref<2xindex>
  memref.store %n, %shape[%c0] : memref<2xindex>
  memref.store %c8, %shape[%c1] : memref<2xindex>
  %r = memref.reshape %a(%shape) : (memref<?xf32>, memref<2xindex>) -> memref<?x?xf32>
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %v = memref.load %r[%i, %j] : memref<?x?xf32>
      memref.store %v, %o[%j] : memref<?xf32>
    }
  }
  return
}

// The sizes of a reshape are the values stored into its shape buffer.
// CHECK-LABEL: func.func @reshape_dims
// CHECK-SAME: (%[[A:[a-z0-9]+]]: memref<?xf32>, %[[O:[a-z0-9]+]]: memref<?xf32>, %[[N:[a-z0-9]+]]: index)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[A_FLAT:.*]] = memref.reinterpret_cast %[[A]] to offset: [0]
// CHECK-NOT: memref.reshape
// CHECK: scf.parallel (%[[I:.*]], %[[J:.*]]) = (%[[C0]], %[[C0]]) to (%[[N]], %[[C8]])
// CHECK-NEXT: %[[IS:.*]] = arith.muli %[[I]], %[[C8]] : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[IS]], %[[J]] : index
// CHECK-NEXT: memref.load %[[A_FLAT]][%[[AT]]] : memref<?xf32>
// CHECK-NOT: memref.reshape
// CHECK: return
// Known deviation (reported, not fixed here): the pass replaces the uses of
// the memref.dim ops of the reshape but leaves the dims themselves, so the
// reshape still has uses and it, its shape buffer and the stores into it
// survive the pass; only the canonicalize after it in the pipeline (the
// first RUN line) removes them. These RAW lines pin what the pass does now.
// RAW-LABEL: func.func @reshape_dims
// RAW: memref.alloc() : memref<2xindex>
// RAW: memref.reshape
// RAW: memref.dim %reshape
// RAW: scf.parallel
// RAW-NOT: memref.load %reshape
// RAW: return
func.func @reshape_dims(%a: memref<?xf32>, %o: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %shape = memref.alloc() : memref<2xindex>
  memref.store %n, %shape[%c0] : memref<2xindex>
  memref.store %c8, %shape[%c1] : memref<2xindex>
  %r = memref.reshape %a(%shape) : (memref<?xf32>, memref<2xindex>) -> memref<?x?xf32>
  %rows = memref.dim %r, %c0 : memref<?x?xf32>
  %cols = memref.dim %r, %c1 : memref<?x?xf32>
  scf.parallel (%i, %j) = (%c0, %c0) to (%rows, %cols) step (%c1, %c1) {
    %v = memref.load %r[%i, %j] : memref<?x?xf32>
    memref.store %v, %o[%j] : memref<?xf32>
    scf.reduce
  }
  return
}

// A vector load (8 values along the innermost axis, as the contraction
// tiles copy words) addresses the flat root at its first element's place.
// CHECK-LABEL: func.func @vector_load
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<4x?x16xf32>,
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[X]]
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NEXT: %[[ROW:.*]] = arith.muli %[[I]], %c16 : index
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[ROW]], %c8 : index
// CHECK-NEXT: vector.load %[[FLAT]][%[[AT]]] : memref<?xf32>, vector<8xf32>
func.func @vector_load(%x: memref<4x?x16xf32>, %y: memref<?xvector<8xf32>>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %n = memref.dim %x, %c1 : memref<4x?x16xf32>
  %rows = memref.collapse_shape %x [[0, 1], [2]] : memref<4x?x16xf32> into memref<?x16xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = vector.load %rows[%i, %c8] : memref<?x16xf32>, vector<8xf32>
    memref.store %v, %y[%i] : memref<?xvector<8xf32>>
    scf.reduce
  }
  return
}
