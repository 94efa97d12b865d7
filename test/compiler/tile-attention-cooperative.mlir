// RUN: avila-opt %s --avila-tile-attention="cooperative-matrix=1 max-workgroup-memory=49152" --canonicalize --cse | FileCheck %s
// RUN: avila-opt %s --avila-tile-attention="cooperative-matrix=1 max-workgroup-memory=8192" --canonicalize --cse | FileCheck %s --check-prefix=SMALL

// Where no workgroup of fragments fits the workgroup memory (one subgroup
// of 16 rows and 16 keys needs 10 KiB here), the FMA tiles: one invocation
// per query row, 64 rows per workgroup, no fragments.
// SMALL-LABEL: func.func @self
// SMALL-NOT: gpu.subgroup_mma
// SMALL: gpu.launch blocks({{.*}}) threads({{.*}}) in (%{{.*}} = %c64,
// SMALL-NOT: gpu.subgroup_mma
// SMALL-LABEL: func.func @halves

// Self-attention of 8 heads of 40 channels on cooperative matrices: a
// workgroup of 4 subgroups (128 invocations) owns 64 query rows of one
// (batch, head), 16 per subgroup; heads are padded to 48 channels (3
// fragments). Heads and rows are whole 16-byte words, so the query, key and
// value rows are staged as words (6 per row, padded by one). The scores and
// weights of a block of 32 keys are key-major, padded; then the f32 output
// rows (used only to rescale and at the end), one factor per row and one
// flag per subgroup.
// CHECK-LABEL: func.func @self
// CHECK: gpu.launch blocks({{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128,
// CHECK: %[[LANE:.*]] = arith.remui %[[T]], %c32
// CHECK: %[[Q:.*]] = memref.alloc() : memref<64x7xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[K:.*]] = memref.alloc() : memref<32x7xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[V:.*]] = memref.alloc() : memref<32x7xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[S:.*]] = memref.alloc() : memref<32x68xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[P:.*]] = memref.alloc() : memref<32x72xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[O:.*]] = memref.alloc() : memref<64x48xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[F:.*]] = memref.alloc() : memref<64xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[FLAGS:.*]] = memref.alloc() : memref<4xi32, #spirv.storage_class<Workgroup>>
// CHECK: %[[ZERO:.*]] = gpu.subgroup_mma_constant_matrix %{{.*}} : !gpu.mma_matrix<16x16xf32, "COp">
// The query rows are staged once, a word per load (zero past channel 40),
// and held as three fragments per subgroup.
// CHECK: %[[QW:.*]] = vector.load %arg0[{{.*}}] : memref<?x?x320xf32>, vector<8xf32>
// CHECK-NEXT: %[[QH:.*]] = arith.truncf %[[QW]] : vector<8xf32> to vector<8xf16>
// CHECK-NEXT: %[[QI:.*]] = vector.bitcast %[[QH]] : vector<8xf16> to vector<4xi32>
// CHECK-NEXT: arith.select %{{.*}}, %[[QI]], %{{.*}} : vector<4xi32>
// CHECK: gpu.barrier
// CHECK-NEXT: %[[QA:.*]] = gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS:.*]], %c0] {leadDimension = 7 : index} {{.*}} -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK-NEXT: gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS]], %c2]
// CHECK-NEXT: gpu.subgroup_mma_load_matrix %[[Q]][%[[ROWS]], %c4]
// The first block's key and value rows are fetched before the loop; each
// iteration stores the fetched rows, then fetches the next block's while
// it multiplies. The output fragments are carried by the loop.
// CHECK: %[[K0:.*]] = vector.load %arg1
// CHECK: %[[V0:.*]] = vector.load %arg2
// CHECK: %{{.*}}:9 = scf.for %[[K0IDX:.*]] = %c0 to %{{.*}} step %c32 iter_args(%[[REF:.*]] = %cst{{.*}}, %[[SUM:.*]] = %cst{{.*}}, %[[O0:.*]] = %[[ZERO]], %[[O1:.*]] = %[[ZERO]], %[[O2:.*]] = %[[ZERO]], %[[FK:.*]] = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// CHECK-NEXT: memref.store %[[FK]], %[[K]]
// CHECK: gpu.barrier
// CHECK: vector.load %arg1
// Scores of 16 rows × 32 keys: two column fragments over three depths, the
// key fragments loaded transposed, stored transposed (key-major).
// CHECK: %[[KB:.*]] = gpu.subgroup_mma_load_matrix %[[K]][%c0, %c0] {leadDimension = 7 : index, transpose}
// CHECK-NEXT: gpu.subgroup_mma_compute %[[QA]], %[[KB]], %[[ZERO]]
// CHECK-COUNT-2: gpu.subgroup_mma_compute
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %{{.*}}, %[[S]][%c0, %[[ROWS]]] {leadDimension = 68 : index, transpose}
// CHECK-COUNT-3: gpu.subgroup_mma_compute
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %{{.*}}, %[[S]][%c16, %[[ROWS]]] {leadDimension = 68 : index, transpose}
// CHECK-NEXT: gpu.barrier
// Every invocation takes 16 keys of its row (lane mod 16); the two halves
// of the subgroup combine their maxima and sums by shuffles. The reference
// moves only past reference + 8.
// CHECK-COUNT-16: memref.load %[[S]]
// CHECK: %[[OTHER:.*]], %{{.*}} = gpu.shuffle {{ *}}xor %[[PARTMAX:.*]], %c16_i32, %c32_i32 : f32
// CHECK-NEXT: %[[BLOCKMAX:.*]] = arith.maximumf %[[PARTMAX]], %[[OTHER]] : f32
// CHECK-NEXT: %[[LIMIT:.*]] = arith.addf %[[REF]], %cst{{.*}} : f32
// CHECK-NEXT: %[[MOVED:.*]] = arith.cmpf ogt, %[[BLOCKMAX]], %[[LIMIT]] : f32
// CHECK-NEXT: %[[NEWREF:.*]] = arith.select %[[MOVED]], %[[BLOCKMAX]], %[[REF]] : f32
// CHECK-NEXT: %[[DROP:.*]] = arith.subf %[[REF]], %[[NEWREF]] : f32
// CHECK-NEXT: %[[FACTOR:.*]] = math.exp %[[DROP]] : f32
// CHECK-COUNT-16: math.exp
// CHECK: gpu.shuffle {{ *}}xor
// CHECK: %[[SCALED:.*]] = arith.mulf %[[SUM]], %[[FACTOR]] : f32
// CHECK-NEXT: %[[NEWSUM:.*]] = arith.addf %[[SCALED]], %{{.*}} : f32
// CHECK: memref.store %[[FACTOR]], %[[F]]
// One flag per subgroup: whether a row moved its reference.
// CHECK: %[[VOTE:.*]] = gpu.subgroup_reduce maxui
// CHECK: memref.store %[[VOTE]], %[[FLAGS]]
// CHECK: gpu.barrier
// CHECK-COUNT-4: memref.load %[[FLAGS]]
// Where one did (after the first block), the output fragments are
// rescaled through workgroup memory; otherwise they pass unchanged.
// CHECK: %[[OUT:.*]]:3 = scf.if %{{.*}} -> (!gpu.mma_matrix<16x16xf32, "COp">, !gpu.mma_matrix<16x16xf32, "COp">, !gpu.mma_matrix<16x16xf32, "COp">)
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %[[O0]], %[[O]][%[[ROWS]], %c0]
// CHECK: gpu.barrier
// CHECK: %[[OLD:.*]] = memref.load %[[O]]
// CHECK-NEXT: %[[ROWFACTOR:.*]] = memref.load %[[F]]
// CHECK-NEXT: arith.mulf %[[OLD]], %[[ROWFACTOR]]
// CHECK: gpu.barrier
// CHECK-NEXT: gpu.subgroup_mma_load_matrix %[[O]][%[[ROWS]], %c0] {leadDimension = 48 : index} {{.*}} -> !gpu.mma_matrix<16x16xf32, "COp">
// CHECK: } else {
// CHECK-NEXT: scf.yield %[[O0]], %[[O1]], %[[O2]]
// The weights (loaded transposed from their key-major block) times the
// values add to the output fragments.
// CHECK: %[[PA:.*]] = gpu.subgroup_mma_load_matrix %[[P]][%c0, %[[ROWS]]] {leadDimension = 72 : index, transpose} {{.*}} -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK-NEXT: %[[VB:.*]] = gpu.subgroup_mma_load_matrix %[[V]][%c0, %c0] {leadDimension = 7 : index} {{.*}} -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK-NEXT: gpu.subgroup_mma_compute %[[PA]], %[[VB]], %[[OUT]]#0
// CHECK: gpu.barrier
// CHECK-NEXT: scf.yield %[[NEWREF]], %[[NEWSUM]]
// At the end each row is divided by its sum.
// CHECK: gpu.subgroup_mma_store_matrix %{{.*}}#2, %[[O]][%[[ROWS]], %c0]
// CHECK: arith.divf
// CHECK: memref.store %{{.*}}, %arg3
func.func @self(%q: memref<?x?x320xf32>, %k: memref<?x?x320xf32>, %v: memref<?x?x320xf32>, %o: memref<?x?x320xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 8 scale 0.15811388300841897 ins(%q, %k, %v : memref<?x?x320xf32>, memref<?x?x320xf32>, memref<?x?x320xf32>) outs(%o : memref<?x?x320xf32>)
  return
}


// Heads of 20 channels are not whole words: their rows are staged as
// halves, one load each.
// CHECK-LABEL: func.func @halves
// CHECK: memref.alloc() : memref<64x40xf16, #spirv.storage_class<Workgroup>>
// CHECK-NOT: vector.load
// CHECK: %[[H:.*]] = memref.load %arg0
// CHECK-NEXT: arith.truncf %[[H]] : f32 to f16
// CHECK-NOT: vector.load
// CHECK: return
func.func @halves(%q: memref<?x?x40xf32>, %k: memref<?x?x40xf32>, %v: memref<?x?x40xf32>, %o: memref<?x?x40xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 2 scale 0.22360679774997896 ins(%q, %k, %v : memref<?x?x40xf32>, memref<?x?x40xf32>, memref<?x?x40xf32>) outs(%o : memref<?x?x40xf32>)
  return
}
