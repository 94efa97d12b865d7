// RUN: avila-opt %s --avila-fused-attention-to-loops | FileCheck %s

// 2 heads of 8 query/key channels and 4 value channels. One parallel
// iteration per (batch, head, query position); the keys are walked once with
// the running maximum and sum carried by the loop and the head's 4 output
// channels in a private buffer, divided by the sum at the end.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: memref<2x5x16xf32>, %[[K:[a-z0-9]+]]: memref<2x7x16xf32>, %[[V:[a-z0-9]+]]: memref<2x7x8xf32>, %[[O:[a-z0-9]+]]: memref<2x5x8xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[HEADS:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[D:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[DV:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 0.353553385 : f32
// CHECK-DAG: %[[B:.*]] = memref.dim %[[Q]], %[[C0]]
// CHECK-DAG: %[[LQ:.*]] = memref.dim %[[Q]], %[[C1]]
// CHECK-DAG: %[[LK:.*]] = memref.dim %[[K]], %[[C1]]
// CHECK: scf.parallel (%[[BI:.*]], %[[H:.*]], %[[I:.*]]) = (%[[C0]], %[[C0]], %[[C0]]) to (%[[B]], %[[HEADS]], %[[LQ]]) step (%[[C1]], %[[C1]], %[[C1]]) {
// CHECK-NEXT: %[[QC:.*]] = arith.muli %[[H]], %[[D]]
// CHECK-NEXT: %[[VC:.*]] = arith.muli %[[H]], %[[DV]]
// CHECK-NEXT: %[[ACC:.*]] = memref.alloca() : memref<4xf32>
// CHECK-NEXT: scf.for %[[E:.*]] = %[[C0]] to %[[DV]] step %[[C1]] {
// CHECK-NEXT: memref.store %[[ZERO]], %[[ACC]][%[[E]]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[STATE:.*]]:2 = scf.for %[[J:.*]] = %[[C0]] to %[[LK]] step %[[C1]] iter_args(%[[M:.*]] = %[[NEG_INF]], %[[L:.*]] = %[[ZERO]]) -> (f32, f32) {
// CHECK-NEXT: %[[DOT:.*]] = scf.for %[[DI:.*]] = %[[C0]] to %[[D]] step %[[C1]] iter_args(%[[PART:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[CH:.*]] = arith.addi %[[QC]], %[[DI]]
// CHECK-NEXT: %[[QX:.*]] = memref.load %[[Q]][%[[BI]], %[[I]], %[[CH]]]
// CHECK-NEXT: %[[KX:.*]] = memref.load %[[K]][%[[BI]], %[[J]], %[[CH]]]
// CHECK-NEXT: %[[PROD:.*]] = arith.mulf %[[QX]], %[[KX]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[PART]], %[[PROD]]
// CHECK-NEXT: scf.yield %[[SUM]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[DOT]], %[[SCALE]]
// CHECK-NEXT: %[[NEW_M:.*]] = arith.maximumf %[[M]], %[[S]]
// CHECK-NEXT: %[[NO_MAX:.*]] = arith.cmpf oeq, %[[NEW_M]], %[[NEG_INF]]
// CHECK-NEXT: %[[SHIFT:.*]] = arith.select %[[NO_MAX]], %[[ZERO]], %[[NEW_M]]
// CHECK-NEXT: %[[DM:.*]] = arith.subf %[[M]], %[[SHIFT]]
// CHECK-NEXT: %[[CORR:.*]] = math.exp %[[DM]]
// CHECK-NEXT: %[[DS:.*]] = arith.subf %[[S]], %[[SHIFT]]
// CHECK-NEXT: %[[P:.*]] = math.exp %[[DS]]
// CHECK-NEXT: %[[LC:.*]] = arith.mulf %[[L]], %[[CORR]]
// CHECK-NEXT: %[[NEW_L:.*]] = arith.addf %[[LC]], %[[P]]
// CHECK-NEXT: scf.for %[[E:.*]] = %[[C0]] to %[[DV]] step %[[C1]] {
// CHECK-NEXT: %[[CH:.*]] = arith.addi %[[VC]], %[[E]]
// CHECK-NEXT: %[[VX:.*]] = memref.load %[[V]][%[[BI]], %[[J]], %[[CH]]]
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[ACC]][%[[E]]]
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[OLD]], %[[CORR]]
// CHECK-NEXT: %[[PV:.*]] = arith.mulf %[[P]], %[[VX]]
// CHECK-NEXT: %[[NEW:.*]] = arith.addf %[[SCALED]], %[[PV]]
// CHECK-NEXT: memref.store %[[NEW]], %[[ACC]][%[[E]]]
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[NEW_M]], %[[NEW_L]] : f32, f32
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %[[E:.*]] = %[[C0]] to %[[DV]] step %[[C1]] {
// CHECK-NEXT: %[[CH:.*]] = arith.addi %[[VC]], %[[E]]
// CHECK-NEXT: %[[A:.*]] = memref.load %[[ACC]][%[[E]]]
// CHECK-NEXT: %[[R:.*]] = arith.divf %[[A]], %[[STATE]]#1
// CHECK-NEXT: memref.store %[[R]], %[[O]][%[[BI]], %[[I]], %[[CH]]]
// CHECK-NEXT: }
// CHECK-NEXT: scf.reduce
// CHECK-NEXT: }
// CHECK-NEXT: return
// CHECK-NOT: avila.fused_attention
func.func @attention(%q: memref<2x5x16xf32>, %k: memref<2x7x16xf32>, %v: memref<2x7x8xf32>, %o: memref<2x5x8xf32>) {
  avila.fused_attention heads 2 scale 0.35355339059327373 ins(%q, %k, %v : memref<2x5x16xf32>, memref<2x7x16xf32>, memref<2x7x8xf32>) outs(%o : memref<2x5x8xf32>)
  return
}

// Strided views with dynamic batch and lengths are read and written as
// given, indexed like their [B, L, E] shape, the sizes taken from them.
// CHECK-LABEL: func.func @views
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %[[K:[a-z0-9]+]]: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %[[V:[a-z0-9]+]]: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %[[O:[a-z0-9]+]]: memref<?x?x16xf32>)
// CHECK-DAG: %[[B:.*]] = memref.dim %[[Q]], %[[C0:[a-z0-9_]+]]
// CHECK-DAG: %[[LQ:.*]] = memref.dim %[[Q]], %[[C1:[a-z0-9_]+]]
// CHECK-DAG: %[[LK:.*]] = memref.dim %[[K]], %[[C1]]
// CHECK: scf.parallel ({{.*}}) = ({{.*}}) to (%[[B]], %{{.*}}, %[[LQ]])
// CHECK: memref.alloca() : memref<2xf32>
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[LK]]
// CHECK: memref.load %[[Q]][
// CHECK: memref.load %[[K]][
// CHECK: memref.load %[[V]][
// CHECK: memref.store %{{.*}}, %[[O]][
// CHECK-NOT: avila.fused_attention
func.func @views(%q: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %k: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %v: memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, %o: memref<?x?x16xf32>) {
  avila.fused_attention heads 8 scale 0.5 ins(%q, %k, %v : memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>, memref<?x?x16xf32, strided<[?, 48, 1], offset: ?>>) outs(%o : memref<?x?x16xf32>)
  return
}
