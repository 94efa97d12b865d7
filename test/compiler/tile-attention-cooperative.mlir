// RUN: avila-opt %s --avila-tile-attention="cooperative-matrix=1 max-workgroup-memory=49152" --canonicalize --cse | FileCheck %s
// RUN: avila-opt %s --avila-tile-attention="cooperative-matrix=1 max-workgroup-memory=8192" --canonicalize --cse | FileCheck %s --check-prefix=SMALL

// Where no workgroup of fragments fits the workgroup memory (one subgroup
// of 16 rows and 16 keys needs 9 KiB here), the FMA tiles: one invocation
// per query row, 64 rows per workgroup, no fragments.
// SMALL-NOT: gpu.subgroup_mma
// SMALL: gpu.launch blocks({{.*}}) threads({{.*}}) in (%{{.*}} = %c64,
// SMALL-NOT: gpu.subgroup_mma

// Self-attention of 8 heads of 40 channels on cooperative matrices: a
// workgroup of 4 subgroups (128 invocations) owns 64 query rows of one
// (batch, head), 16 per subgroup; heads are padded to 48 channels (3
// fragments). Workgroup memory: the query rows, a block of 32 key and value
// rows (f16), the f32 scores and f16 weights of the block, the f32 output
// rows and one factor per row: 36 KiB.
// CHECK-LABEL: func.func @self
// CHECK: gpu.launch blocks({{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128,
// CHECK: %[[LANE:.*]] = arith.remui %[[T]], %c32
// CHECK: %[[Q:.*]] = memref.alloc() : memref<64x48xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[K:.*]] = memref.alloc() : memref<32x48xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[V:.*]] = memref.alloc() : memref<32x48xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[S:.*]] = memref.alloc() : memref<64x32xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[P:.*]] = memref.alloc() : memref<64x32xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[O:.*]] = memref.alloc() : memref<64x48xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[F:.*]] = memref.alloc() : memref<64xf32, #spirv.storage_class<Workgroup>>
// The query rows are staged once, zero past channel 40, and held as three
// fragments per subgroup.
// CHECK: %[[QV:.*]] = memref.load %arg0
// CHECK-NEXT: %[[QH:.*]] = arith.truncf %[[QV]] : f32 to f16
// CHECK-NEXT: arith.select %{{.*}}, %[[QH]], %{{.*}} : f16
// CHECK: gpu.barrier
// CHECK-NEXT: %[[QA:.*]] = gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS:.*]], %c0] {leadDimension = 48 : index} {{.*}} -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK-NEXT: gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS]], %c16]
// CHECK-NEXT: gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS]], %c32]
// Per block of 32 keys: the key and value rows are staged, then each
// subgroup's scores are 16 × 32: two column fragments over three depths,
// the key fragments loaded transposed.
// CHECK: %{{.*}}:2 = scf.for %{{.*}} = %c0 to %{{.*}} step %c32 iter_args(%[[MAX:.*]] = %cst{{.*}}, %[[SUM:.*]] = %cst{{.*}}) -> (f32, f32)
// CHECK: gpu.barrier
// CHECK-NEXT: %[[KB:.*]] = gpu.subgroup_mma_load_matrix %[[K]][%c0, %c0] {leadDimension = 48 : index, transpose}
// CHECK-NEXT: gpu.subgroup_mma_compute %[[QA]], %[[KB]], %{{.*}}
// CHECK-COUNT-2: gpu.subgroup_mma_compute
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %{{.*}}, %[[S]][%[[ROWS]], %c0] {leadDimension = 32 : index}
// CHECK-COUNT-3: gpu.subgroup_mma_compute
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %{{.*}}, %[[S]][%[[ROWS]], %c16]
// CHECK-NEXT: gpu.barrier
// Invocations 0–15 of a subgroup run the softmax of one row each.
// CHECK: %[[OWNER:.*]] = arith.cmpi ult, %[[LANE]], %c16
// CHECK-NEXT: %[[STATE:.*]]:2 = scf.if %[[OWNER]] -> (f32, f32)
// CHECK: arith.maximumf
// CHECK: %[[NEWMAX:.*]] = arith.maximumf %{{.*}}, %[[MAX]] : f32
// CHECK-NEXT: %[[DROP:.*]] = arith.subf %[[MAX]], %[[NEWMAX]] : f32
// CHECK-NEXT: %[[RESCALE:.*]] = math.exp %[[DROP]] : f32
// CHECK-COUNT-32: math.exp
// CHECK: %[[SCALED:.*]] = arith.mulf %[[SUM]], %[[RESCALE]] : f32
// CHECK-NEXT: %[[NEWSUM:.*]] = arith.addf %[[SCALED]], %{{.*}} : f32
// CHECK-NEXT: memref.store %[[RESCALE]], %[[F]]
// CHECK-NEXT: scf.yield %[[NEWMAX]], %[[NEWSUM]]
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[MAX]], %[[SUM]]
// The output rows are rescaled, then add the weights times the values.
// CHECK: gpu.barrier
// CHECK: %[[OLD:.*]] = memref.load %[[O]]
// CHECK-NEXT: %[[FACTOR:.*]] = memref.load %[[F]]
// CHECK-NEXT: arith.mulf %[[OLD]], %[[FACTOR]]
// CHECK: gpu.barrier
// CHECK-NEXT: %[[OC:.*]] = gpu.subgroup_mma_load_matrix %[[O]][%[[ROWS]], %c0] {leadDimension = 48 : index} {{.*}} -> !gpu.mma_matrix<16x16xf32, "COp">
// CHECK-NEXT: %[[PA:.*]] = gpu.subgroup_mma_load_matrix %[[P]][%[[ROWS]], %c0] {leadDimension = 32 : index} {{.*}} -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK-NEXT: %[[VB:.*]] = gpu.subgroup_mma_load_matrix %[[V]][%c0, %c0] {leadDimension = 48 : index} {{.*}} -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK-NEXT: gpu.subgroup_mma_compute %[[PA]], %[[VB]], %[[OC]]
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield
// At the end each row is divided by its sum.
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %arg3
func.func @self(%q: memref<?x?x320xf32>, %k: memref<?x?x320xf32>, %v: memref<?x?x320xf32>, %o: memref<?x?x320xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 8 scale 0.15811388300841897 ins(%q, %k, %v : memref<?x?x320xf32>, memref<?x?x320xf32>, memref<?x?x320xf32>) outs(%o : memref<?x?x320xf32>)
  return
}

