// RUN: avila-opt %s --split-input-file --avila-tile-reductions --canonicalize --cse | FileCheck %s

// A group norm's variance: Σ (x − mean)² over each group's elements, into a
// [batch, groups] init. One workgroup of 64 invocations per (n, g): the
// ? · 32 sums are the linear index split over y · z (z = s / 65535 + 1,
// y = s / z + 1), g fastest.
// CHECK-LABEL: func.func @variance
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x32x?xf32>, %[[MEAN:[a-z0-9]+]]: memref<?x32xf32>, %[[OUT:[a-z0-9]+]]: memref<?x32xf32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C65535:.*]] = arith.constant 65535 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK-NEXT: %[[L:.*]] = memref.dim %[[X]], %[[C2]]
// CHECK-NEXT: %[[SUMS:.*]] = arith.muli %[[N]], %[[C32]]
// CHECK-NEXT: %[[ZQ:.*]] = arith.divui %[[SUMS]], %[[C65535]]
// CHECK-NEXT: %[[GZ:.*]] = arith.addi %[[ZQ]], %[[C1]]
// CHECK-NEXT: %[[YQ:.*]] = arith.divui %[[SUMS]], %[[GZ]]
// CHECK-NEXT: %[[GY:.*]] = arith.addi %[[YQ]], %[[C1]]
// CHECK-NEXT: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C1]], %[[NY:.*]] = %[[GY]], %{{.*}} = %[[GZ]]) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK-NEXT: %[[TOTALS:.*]] = memref.alloc() : memref<64xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[ZS:.*]] = arith.muli %[[BZ]], %[[NY]]
// CHECK-NEXT: %[[S:.*]] = arith.addi %[[ZS]], %[[BY]]
// Workgroups past the last sum leave whole: the barrier stays uniform.
// CHECK-NEXT: %[[LIVE:.*]] = arith.cmpi ult, %[[S]], %[[SUMS]]
// CHECK-NEXT: scf.if %[[LIVE]] {
// CHECK-NEXT: %[[G:.*]] = arith.remui %[[S]], %[[C32]]
// CHECK-NEXT: %[[B:.*]] = arith.divui %[[S]], %[[C32]]
// Invocation t adds up elements t, t + 64, …: neighbours load neighbours.
// CHECK-NEXT: %[[LOOP:.*]] = scf.for %[[E:.*]] = %[[T]] to %[[L]] step %[[C64]] iter_args(%[[ACC:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[XV:.*]] = memref.load %[[X]][%[[B]], %[[G]], %[[E]]]
// CHECK-NEXT: %[[MV:.*]] = memref.load %[[MEAN]][%[[B]], %[[G]]]
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[XV]], %[[MV]]
// CHECK-NEXT: %[[SQ:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK-NEXT: %[[NEXT:.*]] = arith.addf %[[ACC]], %[[SQ]]
// CHECK-NEXT: scf.yield %[[NEXT]]
// CHECK-NEXT: }
// An invocation past the end ran no iteration: its partial is zero, not
// the loop's (in SPIR-V undefined) result.
// CHECK-NEXT: %[[RAN:.*]] = arith.cmpi ult, %[[T]], %[[L]]
// CHECK-NEXT: %[[PARTIAL:.*]] = arith.select %[[RAN]], %[[LOOP]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SUB:.*]] = gpu.subgroup_reduce add %[[PARTIAL]] : (f32) -> f32
// CHECK-NEXT: %[[LANE:.*]] = gpu.lane_id
// CHECK-NEXT: %[[FIRST_LANE:.*]] = arith.cmpi eq, %[[LANE]], %[[C0]]
// CHECK-NEXT: scf.if %[[FIRST_LANE]] {
// CHECK-NEXT: %[[SG:.*]] = gpu.subgroup_id
// CHECK-NEXT: memref.store %[[SUB]], %[[TOTALS]][%[[SG]]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[NSG:.*]] = gpu.num_subgroups
// CHECK-NEXT: %[[TOTAL:.*]] = scf.for %[[I:.*]] = %[[C0]] to %[[NSG]] step %[[C1]] iter_args(%[[T2:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[P:.*]] = memref.load %[[TOTALS]][%[[I]]]
// CHECK-NEXT: %[[T3:.*]] = arith.addf %[[T2]], %[[P]]
// CHECK-NEXT: scf.yield %[[T3]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[FIRST:.*]] = arith.cmpi eq, %[[T]], %[[C0]]
// CHECK-NEXT: scf.if %[[FIRST]] {
// The init is updated: it may hold the sum of a tail already.
// CHECK-NEXT: %[[INIT:.*]] = memref.load %[[OUT]][%[[B]], %[[G]]]
// CHECK-NEXT: %[[UPDATED:.*]] = arith.addf %[[INIT]], %[[TOTAL]]
// CHECK-NEXT: memref.store %[[UPDATED]], %[[OUT]][%[[B]], %[[G]]]
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
#sum_in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#sum_out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @variance(%x: memref<?x32x?xf32>, %mean: memref<?x32xf32>, %out: memref<?x32xf32>) attributes {avila.dispatch} {
  linalg.generic {indexing_maps = [#sum_in, #sum_out, #sum_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %mean : memref<?x32x?xf32>, memref<?x32xf32>) outs(%out : memref<?x32xf32>) {
  ^bb0(%in: f32, %m: f32, %acc: f32):
    %d = arith.subf %in, %m : f32
    %sq = arith.mulf %d, %d : f32
    %sum = arith.addf %acc, %sq : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// The block partials of a long row: 256 values a block, 4 per invocation.
// CHECK-LABEL: func.func @blocks
// CHECK: gpu.launch
// CHECK: scf.for %{{.*}} = %{{.*}} to %c256 step %c64
// CHECK: gpu.subgroup_reduce add
#block_in = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#block_out = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @blocks(%x: memref<?x?x256xf32>, %out: memref<?x?xf32>) attributes {avila.dispatch} {
  linalg.generic {indexing_maps = [#block_in, #block_out], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x : memref<?x?x256xf32>) outs(%out : memref<?x?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %in, %acc : f32
    linalg.yield %sum : f32
  }
  return
}

// -----

// Left as loops: rows shorter than a workgroup, a maximum rather than a
// sum, a sum along an outer dimension, a term of the iteration's index, a
// generic outside a kernel.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: gpu.launch
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: gpu.launch
// CHECK-LABEL: func.func @host
// CHECK-NOT: gpu.launch
// CHECK: linalg.generic
#row = affine_map<(d0, d1) -> (d0, d1)>
#row_out = affine_map<(d0, d1) -> (d0)>
#col_out = affine_map<(d0, d1) -> (d1)>
func.func @kept(%short: memref<?x32xf32>, %x: memref<?x?xf32>, %out: memref<?xf32>) attributes {avila.dispatch} {
  linalg.generic {indexing_maps = [#row, #row_out], iterator_types = ["parallel", "reduction"]} ins(%short : memref<?x32xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %acc, %in : f32
    linalg.yield %sum : f32
  }
  linalg.generic {indexing_maps = [#row, #row_out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %max = arith.maximumf %acc, %in : f32
    linalg.yield %max : f32
  }
  linalg.generic {indexing_maps = [#row, #col_out], iterator_types = ["reduction", "parallel"]} ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %acc, %in : f32
    linalg.yield %sum : f32
  }
  linalg.generic {indexing_maps = [#row, #row_out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %i = linalg.index 1 : index
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    %t = arith.mulf %in, %f : f32
    %sum = arith.addf %acc, %t : f32
    linalg.yield %sum : f32
  }
  return
}
func.func @host(%x: memref<?x?xf32>, %out: memref<?xf32>) {
  linalg.generic {indexing_maps = [#row, #row_out], iterator_types = ["parallel", "reduction"]} ins(%x : memref<?x?xf32>) outs(%out : memref<?xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sum = arith.addf %acc, %in : f32
    linalg.yield %sum : f32
  }
  return
}
