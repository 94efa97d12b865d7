// RUN: avila-opt %s --avila-tile-contractions --canonicalize --cse | FileCheck %s

// A batched linear layer, 77 rows × 40 columns × depth 32, per batch: one
// workgroup of 256 invocations per 64 × 64 output tile. Column tiles are
// the grid's x; row tiles · batches (2 · ?) the linear index split over
// y · z: z = t / 65535 + 1, y = t / z + 1.
#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x77x32xf32>, %[[W:[a-z0-9]+]]: memref<40x32xf32>, %[[Y:[a-z0-9]+]]: memref<?x77x40xf32>)
// CHECK-NOT: avila.contraction
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C77:.*]] = arith.constant 77 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C65535:.*]] = arith.constant 65535 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[BATCHES:.*]] = memref.dim %[[Y]], %[[C0]]
// CHECK-NEXT: %[[TILES:.*]] = arith.muli %[[BATCHES]], %[[C2]] : index
// CHECK-NEXT: %[[ZQ:.*]] = arith.divui %[[TILES]], %[[C65535]]
// CHECK-NEXT: %[[GZ:.*]] = arith.addi %[[ZQ]], %[[C1]]
// CHECK-NEXT: %[[YQ:.*]] = arith.divui %[[TILES]], %[[GZ]]
// CHECK-NEXT: %[[GY:.*]] = arith.addi %[[YQ]], %[[C1]]
// CHECK-NEXT: gpu.launch blocks(%[[BX:.*]], %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C1]], %[[NY:.*]] = %[[GY]], %{{.*}} = %[[GZ]]) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// Invocation t owns rows t / 16 + 16·i and columns t % 16 + 16·j.
// CHECK-NEXT: %[[TR:.*]] = arith.divui %[[T]], %[[C16]]
// CHECK-NEXT: %[[TC:.*]] = arith.remui %[[T]], %[[C16]]
// CHECK-NEXT: %[[SA:.*]] = memref.alloc() : memref<16x64xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[SB:.*]] = memref.alloc() : memref<16x64xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[ZT:.*]] = arith.muli %[[BZ]], %[[NY]]
// CHECK-NEXT: %[[TILE:.*]] = arith.addi %[[ZT]], %[[BY]]
// Workgroups past the last tile leave whole.
// CHECK-NEXT: %[[LIVE:.*]] = arith.cmpi ult, %[[TILE]], %[[TILES]]
// CHECK-NEXT: scf.if %[[LIVE]] {
// CHECK-NEXT: %[[B:.*]] = arith.divui %[[TILE]], %[[C2]]
// CHECK-NEXT: %[[RT:.*]] = arith.remui %[[TILE]], %[[C2]]
// CHECK-NEXT: %[[ROW0:.*]] = arith.muli %[[RT]], %[[C64]]
// x is read along its depth: invocation t copies depth t % 16 of row
// t / 16 (and three more rows 16 apart); the rows, their range and the
// last row a load may read are found once, before the depth loop.
// CHECK-NEXT: %[[R:.*]] = arith.addi %[[ROW0]], %[[TR]]
// CHECK-NEXT: %[[RIN:.*]] = arith.cmpi ult, %[[R]], %[[C77]]
// CHECK-NEXT: %[[RC:.*]] = arith.minui %[[R]], %[[C76:.*]] :
// The first slabs are fetched before the loop: every load is made, at a
// clamped place, and the out-of-range ones are replaced by zeros.
// CHECK: %[[KIN0:.*]] = arith.cmpi ult, %[[TC]], %[[C32]]
// CHECK-NEXT: %[[IN0:.*]] = arith.andi %[[RIN]], %[[KIN0]]
// CHECK-NEXT: %[[KC0:.*]] = arith.minui %[[TC]], %[[C31:.*]] :
// CHECK-NEXT: %[[L0:.*]] = memref.load %[[X]][%[[B:.*]], %[[RC]], %[[KC0]]] : memref<?x77x32xf32>
// CHECK-NEXT: %[[V0:.*]] = arith.select %[[IN0]], %[[L0]], %[[ZERO]] : f32
// CHECK-COUNT-3: memref.load %[[X]]
// The weights' rows are columns, also read along their depth.
// CHECK: memref.load %[[W]][%{{.*}}, %[[KC0]]] : memref<40x32xf32>
// CHECK-COUNT-3: memref.load %[[W]]
// The loop carries the 16 sums and the 8 fetched values.
// CHECK: %[[ACC:.*]]:24 = scf.for %[[K0:.*]] = %[[C0]] to %[[C32]] step %[[C16]] iter_args(%[[A0:[a-z0-9]+]] = %[[ZERO]], {{.*}}, %[[F0:[a-z0-9]+]] = %[[V0]], {{.*}}) -> ({{.*}}) {
// CHECK-NEXT: memref.store %[[F0]], %[[SA]][%[[TC]], %[[TR]]] : memref<16x64xf32, #spirv.storage_class<Workgroup>>
// CHECK-COUNT-3: memref.store %{{.*}}, %[[SA]]
// CHECK-COUNT-4: memref.store %{{.*}}, %[[SB]]
// CHECK-NEXT: gpu.barrier
// The next slabs' values are fetched before the arithmetic.
// CHECK-NEXT: %[[K1:.*]] = arith.addi %[[K0]], %[[C16]]
// CHECK-NEXT: %[[K:.*]] = arith.addi %[[K1]], %[[TC]]
// CHECK-NEXT: %[[KIN:.*]] = arith.cmpi ult, %[[K]], %[[C32]]
// CHECK-NEXT: %[[IN:.*]] = arith.andi %[[RIN]], %[[KIN]]
// CHECK-NEXT: %[[KC:.*]] = arith.minui %[[K]], %[[C31]]
// CHECK-NEXT: %[[L:.*]] = memref.load %[[X]][%[[B]], %[[RC]], %[[KC]]]
// CHECK-NEXT: %[[V:.*]] = arith.select %[[IN]], %[[L]], %[[ZERO]]
// CHECK-COUNT-3: memref.load %[[X]]
// CHECK-COUNT-4: memref.load %[[W]]
// The 4 × 4 register tile from workgroup memory.
// CHECK: %[[SUMS:.*]]:16 = scf.for %[[KK:.*]] = %[[C0]] to %[[C16]] step %[[C1]] iter_args(%[[P0:[a-z0-9]+]] = %[[A0]], {{.*}})
// CHECK-COUNT-4: memref.load %[[SA]][%[[KK]], %{{.*}}]
// CHECK-COUNT-4: memref.load %[[SB]][%[[KK]], %{{.*}}]
// CHECK-NEXT: %{{.*}} = math.fma %{{.*}}, %{{.*}}, %[[P0]] : f32
// CHECK-COUNT-15: math.fma
// CHECK-NEXT: scf.yield
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.yield %[[SUMS]]#0, {{.*}}, %[[V]], {{.*}} :
// CHECK-NEXT: }
// y = y + acc, where the output exists.
// (Row t / 16 is the row whose slab element t copied.)
// CHECK: %[[OCIN:.*]] = arith.cmpi ult, %[[TC]], %[[C40:.*]] :
// CHECK-NEXT: %[[OIN:.*]] = arith.andi %[[RIN]], %[[OCIN]]
// CHECK-NEXT: scf.if %[[OIN]] {
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[Y]][%[[B]], %[[R]], %[[TC]]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[OLD]], %[[ACC]]#0 : f32
// CHECK-NEXT: memref.store %[[SUM]], %[[Y]][%[[B]], %[[R]], %[[TC]]]
// CHECK-NEXT: }
// CHECK-COUNT-15: memref.store %{{.*}}, %[[Y]]
// CHECK: gpu.terminator
// CHECK-NOT: avila.contraction
// CHECK: return
func.func @linear(%x: memref<?x77x32xf32>, %w: memref<40x32xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  avila.contraction "matmul" ins(%x, %w : memref<?x77x32xf32>, memref<40x32xf32>)
      outs(%y : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y * 2 + ky, x * 2 + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>

// A stride-2 convolution as an implicit GEMM: rows are the output pixels
// (n, y, x), columns the 4 output channels, depth the 27 window taps:
// slabs of the 3 input channels c inside loops over ky and kx, so that no
// depth is ever divided into its loops. The input is read along its
// pixels, at (n, c, 2·y + ky, 2·x + kx), a row's (n, y, x) decoded once.
// CHECK-LABEL: func.func @convolution
// CHECK-SAME: (%[[I:[a-z0-9]+]]: memref<?x3x?x?xf32>, %[[F:[a-z0-9]+]]: memref<4x3x3x3xf32>, %[[O:[a-z0-9]+]]: memref<?x4x?x?xf32>)
// CHECK-NOT: avila.contraction
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: %[[N:.*]] = memref.dim %[[O]], %[[C0]]
// CHECK-NEXT: %[[H:.*]] = memref.dim %[[O]], %[[C2]]
// CHECK-NEXT: %[[W:.*]] = memref.dim %[[O]], %[[C3]]
// CHECK-NEXT: %[[NH:.*]] = arith.muli %[[N]], %[[H]]
// CHECK-NEXT: %[[ROWS:.*]] = arith.muli %[[NH]], %[[W]]
// CHECK-NEXT: arith.ceildivui %[[ROWS]], %[[C64]]
// CHECK: gpu.launch
// CHECK: memref.alloc() : memref<16x64xf32, #spirv.storage_class<Workgroup>>
// CHECK: scf.if
// CHECK-NEXT: %[[RT:.*]] = arith.remui
// CHECK-NEXT: %[[ROW0:.*]] = arith.muli %[[RT]], %[[C64]]
// CHECK-NEXT: %[[LAST:.*]] = arith.subi %[[ROWS]], %[[C1]]
// CHECK-NEXT: %[[PIXEL:.*]] = arith.remui %{{.*}}, %[[C64]]
// CHECK-NEXT: %[[C:.*]] = arith.divui %{{.*}}, %[[C64]]
// CHECK-NEXT: %[[R:.*]] = arith.addi %[[ROW0]], %[[PIXEL]]
// CHECK-NEXT: %[[RIN:.*]] = arith.cmpi ult, %[[R]], %[[ROWS]]
// CHECK-NEXT: %[[RC:.*]] = arith.minui %[[R]], %[[LAST]]
// CHECK-NEXT: %[[X:.*]] = arith.remui %[[RC]], %[[W]]
// CHECK-NEXT: %[[NY:.*]] = arith.divui %[[RC]], %[[W]]
// CHECK-NEXT: %[[Y:.*]] = arith.remui %[[NY]], %[[H]]
// CHECK-NEXT: %[[B:.*]] = arith.divui %[[NY]], %[[H]]
// CHECK: scf.for %[[KY:.*]] = %[[C0]] to %[[C3]] step %[[C1]]
// CHECK-NEXT: scf.for %[[KX:.*]] = %[[C0]] to %[[C3]] step %[[C1]]
// One slab holds all 3 channels: the loop over them folded away.
// CHECK-NEXT: %[[CIN:.*]] = arith.cmpi ult, %[[C]], %[[C3]]
// CHECK-NEXT: %[[IN:.*]] = arith.andi %[[RIN]], %[[CIN]]
// CHECK-NEXT: %[[CC:.*]] = arith.minui %[[C]], %[[C2]]
// CHECK-NEXT: %[[Y2:.*]] = arith.muli %[[Y]], %[[C2]]
// CHECK-NEXT: %[[IY:.*]] = arith.addi %[[Y2]], %[[KY]]
// CHECK-NEXT: %[[X2:.*]] = arith.muli %[[X]], %[[C2]]
// CHECK-NEXT: %[[IX:.*]] = arith.addi %[[X2]], %[[KX]]
// CHECK-NEXT: %[[L:.*]] = memref.load %[[I]][%[[B]], %[[CC]], %[[IY]], %[[IX]]] : memref<?x3x?x?xf32>
// CHECK-NEXT: arith.select %[[IN]], %[[L]], %{{.*}} : f32
// CHECK: memref.load %[[F]]
// CHECK: gpu.barrier
// CHECK: math.fma
// CHECK: gpu.barrier
// CHECK: memref.load %[[O]]
// CHECK: arith.addf
// CHECK: memref.store %{{.*}}, %[[O]]
// CHECK-NOT: avila.contraction
// CHECK: return
func.func @convolution(%i: memref<?x3x?x?xf32>, %w: memref<4x3x3x3xf32>, %o: memref<?x4x?x?xf32>) attributes {avila.dispatch} {
  avila.contraction "conv2d" ins(%i, %w : memref<?x3x?x?xf32>, memref<4x3x3x3xf32>)
      outs(%o : memref<?x4x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 2, 2>}
  return
}

// Left for the naive path: half precision, and columns whose count is
// only known at run time (their tiles could exceed the grid's x axis).
// CHECK-LABEL: func.func @declined
// CHECK-NOT: gpu.launch
// CHECK: avila.contraction "matmul"
// CHECK-SAME: memref<8x?xf32>
// CHECK: avila.contraction "matmul"
// CHECK-SAME: memref<8x16xf16>
// CHECK-NOT: gpu.launch
#a = affine_map<(i, n, k) -> (i, k)>
#b = affine_map<(i, n, k) -> (k, n)>
#c = affine_map<(i, n, k) -> (i, n)>
func.func @declined(%a: memref<8x8xf32>, %b: memref<8x?xf32>, %c: memref<8x?xf32>,
                    %ah: memref<8x8xf16>, %bh: memref<8x16xf16>, %ch: memref<8x16xf16>) attributes {avila.dispatch} {
  avila.contraction "matmul" ins(%a, %b : memref<8x8xf32>, memref<8x?xf32>)
      outs(%c : memref<8x?xf32>)
      {indexing_maps = [#a, #b, #c], m_dim = 0, n_dim = 1, k_dim = 2}
  avila.contraction "matmul" ins(%ah, %bh : memref<8x8xf16>, memref<8x16xf16>)
      outs(%ch : memref<8x16xf16>)
      {indexing_maps = [#a, #b, #c], m_dim = 0, n_dim = 1, k_dim = 2}
  return
}
