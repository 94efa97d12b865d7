// RUN: avila-opt %s --split-input-file --avila-group-norms-to-workgroups --canonicalize --cse | FileCheck %s

// A group norm with SiLU over [N, 8, H, W] in 4 groups: one launch, a
// workgroup of 256 invocations per (n, group), the N · 4 groups split over
// y · z. Each group is 2 · H · W contiguous values of the flattened input,
// starting at group · length.
// CHECK-LABEL: func.func @group_norm
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x8x?x?xf32>, %[[G:[a-z0-9]+]]: memref<8xf32>, %[[B:[a-z0-9]+]]: memref<8xf32>, %[[OUT:[a-z0-9]+]]: memref<?x8x?x?xf32>)
// CHECK-NOT: avila.fused_group_norm
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C63:.*]] = arith.constant 63 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C255:.*]] = arith.constant 255 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[EPS:.*]] = arith.constant 9.99999974E-6 : f32
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK-NEXT: %[[H:.*]] = memref.dim %[[X]], %[[C2]]
// CHECK-NEXT: %[[W:.*]] = memref.dim %[[X]], %[[C3]]
// CHECK-NEXT: %[[INNER:.*]] = arith.muli %[[H]], %[[W]]
// CHECK-NEXT: %[[LENGTH:.*]] = arith.muli %[[INNER]], %[[C2]]
// CHECK-NEXT: %[[ROWS:.*]] = arith.muli %[[N]], %[[C4]]
// CHECK-NEXT: %[[FLAT_X:.*]] = memref.collapse_shape %[[X]] {{\[}}[0, 1, 2, 3]] : memref<?x8x?x?xf32> into memref<?xf32>
// CHECK-NEXT: %[[FLAT_OUT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1, 2, 3]] : memref<?x8x?x?xf32> into memref<?xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C1]], %[[NY:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK-NEXT: %[[SUMS:.*]] = memref.alloc() : memref<256xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[SQUARES:.*]] = memref.alloc() : memref<256xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[ZY:.*]] = arith.muli %[[BZ]], %[[NY]]
// CHECK-NEXT: %[[ROW:.*]] = arith.addi %[[ZY]], %[[BY]]
// Workgroups past the last group leave whole: the barriers stay uniform.
// CHECK-NEXT: %[[LIVE:.*]] = arith.cmpi ult, %[[ROW]], %[[ROWS]]
// CHECK-NEXT: scf.if %[[LIVE]] {
// CHECK-NEXT: %[[BASE:.*]] = arith.muli %[[ROW]], %[[LENGTH]]
// CHECK-NEXT: %[[GROUP:.*]] = arith.remui %[[ROW]], %[[C4]]
// CHECK-NEXT: %[[LENGTH_I64:.*]] = arith.index_castui %[[LENGTH]] : index to i64
// CHECK-NEXT: %[[COUNT_F:.*]] = arith.uitofp %[[LENGTH_I64]] : i64 to f32
// Invocation t has ⌈(length − t) / 256⌉ elements, in blocks of 64.
// CHECK-NEXT: %[[END:.*]] = arith.addi %[[LENGTH]], %[[C255]]
// CHECK-NEXT: %[[LEFT:.*]] = arith.subi %[[END]], %[[T]]
// CHECK-NEXT: %[[MINE:.*]] = arith.divui %[[LEFT]], %[[C256]]
// CHECK-NEXT: %[[ROUNDED:.*]] = arith.addi %[[MINE]], %[[C63]]
// CHECK-NEXT: %[[BLOCKS:.*]] = arith.divui %[[ROUNDED]], %[[C64]]
// CHECK-NEXT: %[[SUM:.*]] = scf.for %[[BLOCK:.*]] = %[[C0]] to %[[BLOCKS]] step %[[C1]] iter_args(%[[TOTAL:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[FIRST:.*]] = arith.muli %[[BLOCK]], %[[C64]]
// CHECK-NEXT: %[[AFTER:.*]] = arith.addi %[[FIRST]], %[[C64]]
// CHECK-NEXT: %[[LAST:.*]] = arith.minui %[[AFTER]], %[[MINE]]
// CHECK-NEXT: %[[BLOCK_SUM:.*]] = scf.for %[[K:.*]] = %[[FIRST]] to %[[LAST]] step %[[C1]] iter_args(%[[PARTIAL:.*]] = %[[ZERO]]) -> (f32) {
// Neighbouring invocations load neighbouring elements: t + k · 256.
// CHECK-NEXT: %[[STRIDED:.*]] = arith.muli %[[K]], %[[C256]]
// CHECK-NEXT: %[[ELEMENT:.*]] = arith.addi %[[T]], %[[STRIDED]]
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[BASE]], %[[ELEMENT]]
// CHECK-NEXT: %[[XV:.*]] = memref.load %[[FLAT_X]][%[[AT]]]
// CHECK-NEXT: %[[P2:.*]] = arith.addf %[[PARTIAL]], %[[XV]]
// CHECK-NEXT: scf.yield %[[P2]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[T2:.*]] = arith.addf %[[TOTAL]], %[[BLOCK_SUM]]
// CHECK-NEXT: scf.yield %[[T2]]
// CHECK-NEXT: }
// An invocation without elements adds zero, not the undefined result of a
// loop that ran no iteration.
// CHECK-NEXT: %[[RAN:.*]] = arith.cmpi ne, %[[BLOCKS]], %[[C0]]
// CHECK-NEXT: %[[MY_SUM:.*]] = arith.select %[[RAN]], %[[SUM]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SG_SUM:.*]] = gpu.subgroup_reduce add %[[MY_SUM]] : (f32) -> f32
// CHECK-NEXT: %[[LANE:.*]] = gpu.lane_id
// CHECK-NEXT: %[[FIRST_LANE:.*]] = arith.cmpi eq, %[[LANE]], %[[C0]]
// CHECK-NEXT: scf.if %[[FIRST_LANE]] {
// CHECK-NEXT: %[[SG:.*]] = gpu.subgroup_id
// CHECK-NEXT: memref.store %[[SG_SUM]], %[[SUMS]][%[[SG]]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[NSG:.*]] = gpu.num_subgroups
// CHECK-NEXT: %[[GROUP_SUM:.*]] = scf.for %[[I:.*]] = %[[C0]] to %[[NSG]] step %[[C1]] iter_args(%[[A:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[S:.*]] = memref.load %[[SUMS]][%[[I]]]
// CHECK-NEXT: %[[A2:.*]] = arith.addf %[[A]], %[[S]]
// CHECK-NEXT: scf.yield %[[A2]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[MEAN:.*]] = arith.divf %[[GROUP_SUM]], %[[COUNT_F]]
// The second pass sums squared deviations from the mean, not squares.
// CHECK-NEXT: %[[SQ_SUM:.*]] = scf.for
// CHECK: scf.for
// CHECK: %[[XV2:.*]] = memref.load %[[FLAT_X]]
// CHECK-NEXT: %[[D:.*]] = arith.subf %[[XV2]], %[[MEAN]]
// CHECK-NEXT: %[[D2:.*]] = arith.mulf %[[D]], %[[D]]
// CHECK: %[[MY_SQ:.*]] = arith.select %[[RAN]], %[[SQ_SUM]], %[[ZERO]] : f32
// CHECK-NEXT: %[[SG_SQ:.*]] = gpu.subgroup_reduce add %[[MY_SQ]] : (f32) -> f32
// CHECK: memref.store %[[SG_SQ]], %[[SQUARES]]
// CHECK: gpu.barrier
// CHECK: %[[GROUP_SQ:.*]] = scf.for
// CHECK: memref.load %[[SQUARES]]
// CHECK: %[[VARIANCE:.*]] = arith.divf %[[GROUP_SQ]], %[[COUNT_F]]
// The output: channel group · 2 + element / (H · W) scales and shifts it.
// CHECK-NEXT: %[[FIRST_CHANNEL:.*]] = arith.muli %[[GROUP]], %[[C2]]
// CHECK-NEXT: scf.for %[[E:.*]] = %[[T]] to %[[LENGTH]] step %[[C256]] {
// CHECK-NEXT: %[[IN_CHANNEL:.*]] = arith.divui %[[E]], %[[INNER]]
// CHECK-NEXT: %[[CHANNEL:.*]] = arith.addi %[[FIRST_CHANNEL]], %[[IN_CHANNEL]]
// CHECK-NEXT: %[[GAMMA:.*]] = memref.load %[[G]][%[[CHANNEL]]]
// CHECK-NEXT: %[[BETA:.*]] = memref.load %[[B]][%[[CHANNEL]]]
// CHECK-NEXT: %[[AT3:.*]] = arith.addi %[[BASE]], %[[E]]
// CHECK-NEXT: %[[XV3:.*]] = memref.load %[[FLAT_X]][%[[AT3]]]
// CHECK-NEXT: %[[CENTERED:.*]] = arith.subf %[[XV3]], %[[MEAN]]
// CHECK-NEXT: %[[VE:.*]] = arith.addf %[[VARIANCE]], %[[EPS]]
// CHECK-NEXT: %[[RSTD:.*]] = math.rsqrt %[[VE]]
// CHECK-NEXT: %[[NORMED:.*]] = arith.mulf %[[CENTERED]], %[[RSTD]]
// CHECK-NEXT: %[[SCALED:.*]] = arith.mulf %[[NORMED]], %[[GAMMA]]
// CHECK-NEXT: %[[Y:.*]] = arith.addf %[[SCALED]], %[[BETA]]
// SiLU: y · sigmoid(y).
// CHECK-NEXT: %[[NEG:.*]] = arith.negf %[[Y]]
// CHECK-NEXT: %[[EXP:.*]] = math.exp %[[NEG]]
// CHECK-NEXT: %[[DEN:.*]] = arith.addf %[[EXP]]
// CHECK-NEXT: %[[SIG:.*]] = arith.divf %{{.*}}, %[[DEN]]
// CHECK-NEXT: %[[SILU:.*]] = arith.mulf %[[Y]], %[[SIG]]
// CHECK-NEXT: memref.store %[[SILU]], %[[FLAT_OUT]][%[[AT3]]]
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
func.func @group_norm(%x: memref<?x8x?x?xf32>, %g: memref<8xf32>, %b: memref<8xf32>, %out: memref<?x8x?x?xf32>) attributes {avila.dispatch} {
  avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 silu ins(%x, %g, %b : memref<?x8x?x?xf32>, memref<8xf32>, memref<8xf32>) outs(%out : memref<?x8x?x?xf32>)
  return
}

// -----

// A layer norm's rows of 320 features: 64 invocations a row, each element
// one channel (nothing after the feature axis), no SiLU.
// CHECK-LABEL: func.func @layer_norm
// CHECK-DAG: %[[C320:.*]] = arith.constant 320 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: gpu.launch {{.*}} threads({{.*}}) in (%{{.*}} = %[[C64]],
// CHECK: %[[BASE:.*]] = arith.muli %{{.*}}, %[[C320]]
// CHECK: scf.for %[[E:.*]] = %{{.*}} to %[[C320]] step %[[C64]] {
// CHECK-NEXT: %[[GAMMA:.*]] = memref.load %{{.*}}[%[[E]]] : memref<320xf32>
// CHECK-NOT: math.exp
// CHECK: gpu.terminator
func.func @layer_norm(%x: memref<?x?x320xf32>, %g: memref<320xf32>, %b: memref<320xf32>, %out: memref<?x?x320xf32>) attributes {avila.dispatch} {
  avila.fused_group_norm axis 2 groups 1 eps 1.0e-5 ins(%x, %g, %b : memref<?x?x320xf32>, memref<320xf32>, memref<320xf32>) outs(%out : memref<?x?x320xf32>)
  return
}
