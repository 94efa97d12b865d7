// RUN: avila-opt %s --avila-tile-contractions="cooperative-matrix=1 tile-depth=32" --canonicalize --cse | FileCheck %s
// RUN: not avila-opt %s --avila-tile-contractions="cooperative-matrix=1 tile-rows=48" 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not avila-opt %s --avila-tile-contractions="cooperative-matrix=1 tile-rows=128 tile-cols=128 max-workgroup-memory=32768" 2>&1 | FileCheck %s --check-prefix=MEMORY

// RUN: not avila-opt %s --avila-tile-contractions="cooperative-matrix=1 subgroup-fragments=3" 2>&1 | FileCheck %s --check-prefix=FRAGMENTS
// RUN: avila-opt %s --avila-tile-contractions="cooperative-matrix=1 tile-depth=32 depth-split=48" --canonicalize --cse | FileCheck %s --check-prefix=SPLIT
// SHAPE: avila-tile-contractions: cooperative-matrix tiles take rows and columns in steps of 32 and depth in steps of 16
// FRAGMENTS: avila-tile-contractions: cooperative-matrix tiles take rows and columns in steps of 48 and depth in steps of 16
// MEMORY: avila-tile-contractions: slabs over 32768 bytes

// A batched linear layer on cooperative matrices: a 64 × 64 tile is 2 × 2
// subgroups of 32 invocations, each owning 32 × 32 outputs as 2 × 2 f32
// fragments of 16 × 16; slabs 32 deep are staged in workgroup memory as
// f16, rows padded by 8 elements. Both x and w are read along the depth
// (their last axis), so both slabs are lines × depth: w's fragments are
// loaded transposed. A depth of 36 is not whole 16-byte words: the slabs
// are copied a value at a time.
#x = affine_map<(b, i, n, k) -> (b, i, k)>
#w = affine_map<(b, i, n, k) -> (n, k)>
#y = affine_map<(b, i, n, k) -> (b, i, n)>

// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x77x36xf32>, %[[W:[a-z0-9]+]]: memref<40x36xf32>, %[[Y:[a-z0-9]+]]: memref<?x77x40xf32>)
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HZERO:.*]] = arith.constant 0.000000e+00 : f16
// CHECK: gpu.launch blocks({{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C128]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}})
// The subgroup is the invocation over 32; subgroup s owns rows s / 2 and
// columns s % 2 of the 2 × 2 squares.
// CHECK-NEXT: %[[S:.*]] = arith.divui %[[T]], %[[C32]]
// CHECK-NEXT: %[[SR:.*]] = arith.divui %[[S]], %[[C2]]
// CHECK-NEXT: %[[SC:.*]] = arith.remui %[[S]], %[[C2]]
// CHECK-NEXT: %[[SA:.*]] = memref.alloc() : memref<64x40xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[SB:.*]] = memref.alloc() : memref<64x40xf16, #spirv.storage_class<Workgroup>>
// CHECK: %[[Z:.*]] = gpu.subgroup_mma_constant_matrix %[[ZERO]] : !gpu.mma_matrix<16x16xf32, "COp">
// x's elements are fetched before the loop, rounded to f16, zero out of
// range.
// CHECK: %[[L:.*]] = memref.load %[[X]]
// CHECK-NEXT: %[[V:.*]] = arith.truncf %[[L]] : f32 to f16
// CHECK-NEXT: %[[H:.*]] = arith.select %{{.*}}, %[[V]], %[[HZERO]] : f16
// CHECK: memref.load %[[W]]
// The loop carries 4 fragments and 32 values (16 of each slab).
// CHECK: %[[SUMS:.*]]:36 = scf.for {{.*}} iter_args(%[[A0:.*]] = %[[Z]], %{{.*}} = %[[Z]], %{{.*}} = %[[Z]], %{{.*}} = %[[Z]], %[[F0:.*]] = %[[H]],
// CHECK-NEXT: memref.store %[[F0]], %[[SA]][%{{.*}}, %{{.*}}] : memref<64x40xf16
// CHECK-COUNT-15: memref.store %{{.*}}, %[[SA]]
// CHECK-COUNT-16: memref.store %{{.*}}, %[[SB]]
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-16: memref.load %[[X]]
// CHECK-COUNT-16: memref.load %[[W]]
// Per 16-deep step: two fragments of each slab, four products.
// CHECK: %[[ROW:.*]] = arith.muli %[[SR]], %[[C32]]
// CHECK: %[[FA:.*]] = gpu.subgroup_mma_load_matrix %[[SA]][%[[ROW]], %{{.*}}] {leadDimension = 40 : index} : memref<64x40xf16, #spirv.storage_class<Workgroup>> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: gpu.subgroup_mma_load_matrix %[[SA]]
// CHECK: %[[COL:.*]] = arith.muli %[[SC]], %[[C32]]
// CHECK: %[[FB:.*]] = gpu.subgroup_mma_load_matrix %[[SB]][%[[COL]], %{{.*}}] {leadDimension = 40 : index, transpose} : memref<64x40xf16, #spirv.storage_class<Workgroup>> -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK: gpu.subgroup_mma_load_matrix %[[SB]]
// CHECK: %[[D0:.*]] = gpu.subgroup_mma_compute %[[FA]], %[[FB]], %[[A0]]
// CHECK-COUNT-3: gpu.subgroup_mma_compute
// CHECK-COUNT-2: gpu.subgroup_mma_load_matrix %[[SA]]
// CHECK-COUNT-2: gpu.subgroup_mma_load_matrix %[[SB]]
// CHECK: gpu.subgroup_mma_compute %{{.*}}, %{{.*}}, %[[D0]]
// CHECK-COUNT-3: gpu.subgroup_mma_compute
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.yield
// Each subgroup passes its fragments through its own 16 rows of an f32
// buffer (rows 16 · subgroup), one row of 2 fragments at a time; its 32
// invocations then add them to y in y's order: columns fastest, element
// lane + 32 · i of the 16 × 32 products.
// CHECK: %[[P:.*]] = memref.alloc() : memref<64x36xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[OWN:.*]] = arith.muli %[[S]], %[[C16]]
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %[[SUMS]]#0, %[[P]][%[[OWN]], %{{.*}}] {leadDimension = 36 : index}
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %[[SUMS]]#1, %[[P]][%[[OWN]], %[[C16]]]
// CHECK-NEXT: gpu.barrier
// CHECK: %[[PC:.*]] = arith.remui %[[LANE:.*]], %[[C32]]
// CHECK-NEXT: %[[PR:.*]] = arith.divui %[[LANE]], %[[C32]]
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[OWN]], %[[PR]]
// CHECK-NEXT: %[[SUM:.*]] = memref.load %[[P]][%[[AT]], %[[PC]]]
// CHECK: scf.if
// CHECK: %[[OLD:.*]] = memref.load %[[Y]]
// CHECK-NEXT: %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]] : f32
// CHECK-NEXT: memref.store %[[NEW]], %[[Y]]
// CHECK-COUNT-15: memref.store %{{.*}}, %[[Y]]
// The next row of fragments waits until every invocation has read this one.
// CHECK: gpu.barrier
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %[[SUMS]]#2, %[[P]][%[[OWN]], %{{.*}}]
// CHECK-NEXT: gpu.subgroup_mma_store_matrix %[[SUMS]]#3, %[[P]][%[[OWN]], %[[C16]]]
// CHECK-NEXT: gpu.barrier
// CHECK-COUNT-16: memref.store %{{.*}}, %[[Y]]
// CHECK: gpu.barrier
// CHECK-NEXT: }
// CHECK: gpu.terminator
func.func @linear(%x: memref<?x77x36xf32>, %w: memref<40x36xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  avila.contraction "matmul" ins(%x, %w : memref<?x77x36xf32>, memref<40x36xf32>)
      outs(%y : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

// A depth of whole 16-byte words along both operands' last axis (and
// operands that start their buffers): each invocation copies 8 depths as
// one word, rounded to f16 and bitcast to vector<4xi32>, into slabs of
// words (32 deep + one word of padding), which fragments are loaded from
// with strides in words.
// CHECK-LABEL: func.func @linear_in_words
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?x77x64xf32>, %[[W:[a-z0-9]+]]: memref<40x64xf32>,
// CHECK-DAG: %[[WZERO:.*]] = arith.constant dense<0> : vector<4xi32>
// CHECK: gpu.launch
// CHECK: %[[SA:.*]] = memref.alloc() : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[SB:.*]] = memref.alloc() : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// Invocation t copies line t / 4, depths 8 · (t % 4) of each 32-deep slab.
// CHECK: %[[MINOR:.*]] = arith.remui %[[T:.*]], %c4
// CHECK-NEXT: %[[LINE:.*]] = arith.divui %[[T]], %c4
// CHECK-NEXT: %[[LEVEL:.*]] = arith.muli %[[MINOR]], %c8
// CHECK: %[[CLAMPED:.*]] = arith.minui %[[LEVEL]], %c56
// CHECK-NEXT: %[[HALVES:.*]] = vector.load %[[X]][%{{.*}}, %{{.*}}, %[[CLAMPED]]] : memref<?x77x64xf32>, vector<8xf32>
// CHECK-NEXT: %[[ROUNDED:.*]] = arith.truncf %[[HALVES]] : vector<8xf32> to vector<8xf16>
// CHECK-NEXT: %[[WORD:.*]] = vector.bitcast %[[ROUNDED]] : vector<8xf16> to vector<4xi32>
// CHECK-NEXT: %[[A0:.*]] = arith.select %{{.*}}, %[[WORD]], %[[WZERO]] : vector<4xi32>
// CHECK: vector.load %[[W]]
// CHECK: scf.for {{.*}} iter_args({{.*}}%{{.*}} = %[[A0]],
// CHECK-NEXT: memref.store %{{.*}}, %[[SA]][%[[LINE]], %[[MINOR]]] : memref<64x5xvector<4xi32>
// CHECK-NEXT: memref.store %{{.*}}, %[[SA]]
// CHECK-NEXT: memref.store %{{.*}}, %[[SB]][%[[LINE]], %[[MINOR]]]
// CHECK-NEXT: memref.store %{{.*}}, %[[SB]]
// CHECK-NEXT: gpu.barrier
// CHECK: gpu.subgroup_mma_load_matrix %[[SA]][%{{.*}}, %c0] {leadDimension = 5 : index} : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: gpu.subgroup_mma_load_matrix %[[SB]][%{{.*}}, %c0] {leadDimension = 5 : index, transpose} : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>> -> !gpu.mma_matrix<16x16xf16, "BOp">
// The second 16-deep step starts 2 words in.
// CHECK: gpu.subgroup_mma_load_matrix %[[SA]][%{{.*}}, %c2] {leadDimension = 5 : index}
func.func @linear_in_words(%x: memref<?x77x64xf32>, %w: memref<40x64xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  avila.contraction "matmul" ins(%x, %w : memref<?x77x64xf32>, memref<40x64xf32>)
      outs(%y : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

// Words only where the operand starts its buffer: a view at an offset may
// not be 16-byte aligned, so it is copied a value at a time.
// CHECK-LABEL: func.func @linear_on_a_view
// CHECK: memref.alloc() : memref<64x40xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: memref.alloc() : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
func.func @linear_on_a_view(%x: memref<2x77x64xf32>, %w: memref<40x64xf32>, %y: memref<1x77x40xf32>) attributes {avila.dispatch} {
  %view = memref.subview %x[1, 0, 0] [1, 77, 64] [1, 1, 1] : memref<2x77x64xf32> to memref<1x77x64xf32, strided<[4928, 64, 1], offset: 4928>>
  avila.contraction "matmul" ins(%view, %w : memref<1x77x64xf32, strided<[4928, 64, 1], offset: 4928>>, memref<40x64xf32>)
      outs(%y : memref<1x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  return
}

#in = affine_map<(n, o, y, x, c, ky, kx) -> (n, c, y + ky, x + kx)>
#k = affine_map<(n, o, y, x, c, ky, kx) -> (o, c, ky, kx)>
#out = affine_map<(n, o, y, x, c, ky, kx) -> (n, o, y, x)>

// A convolution whose input channels are not whole words (3) reads its
// input along its pixels (rows), its weights along the input channels (the
// depth; the window comes last): the input's slab is depth × rows and
// loaded transposed, the weights' columns × depth and loaded transposed. Its output is laid out with pixels fastest: a row
// of fragments is read down its columns, 16 pixels per output channel.
// CHECK-LABEL: func.func @convolution
// CHECK-SAME: %[[O:[a-z0-9]+]]: memref<?x64x?x?xf32>)
// CHECK: gpu.launch blocks({{.*}}) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in
// CHECK: %[[CA:.*]] = memref.alloc() : memref<32x72xf16, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[CB:.*]] = memref.alloc() : memref<64x40xf16, #spirv.storage_class<Workgroup>>
// CHECK: gpu.subgroup_mma_load_matrix %[[CA]][%c0, %{{.*}}] {leadDimension = 72 : index, transpose} : memref<32x72xf16, {{.*}}> -> !gpu.mma_matrix<16x16xf16, "AOp">
// CHECK: gpu.subgroup_mma_load_matrix %[[CB]][%{{.*}}, %c0] {leadDimension = 40 : index, transpose} : memref<64x40xf16, {{.*}}> -> !gpu.mma_matrix<16x16xf16, "BOp">
// CHECK: %[[OWN:.*]] = arith.muli %{{.*}}, %c16
// CHECK-NEXT: gpu.subgroup_mma_store_matrix
// CHECK: gpu.barrier
// CHECK: %[[PR:.*]] = arith.remui %[[LANE:.*]], %c16
// CHECK-NEXT: %[[PC:.*]] = arith.divui %[[LANE]], %c16
// CHECK-NEXT: %[[AT:.*]] = arith.addi %[[OWN]], %[[PR]]
// CHECK-NEXT: memref.load %{{.*}}[%[[AT]], %[[PC]]] : memref<64x36xf32
func.func @convolution(%i: memref<?x3x?x?xf32>, %w: memref<64x3x3x3xf32>, %o: memref<?x64x?x?xf32>) attributes {avila.dispatch} {
  avila.contraction "conv2d" ins(%i, %w : memref<?x3x?x?xf32>, memref<64x3x3x3xf32>)
      outs(%o : memref<?x64x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 1, 1>}
  return
}

// Input channels in whole words (8): both operands are first copied
// channels last in f16 (the input n, y, x, c; the weights o, ky, kx, c) by
// loops over the copies, channels fastest; at each window position the
// slabs are then contiguous c-deep runs of both, copied in words.
// CHECK-LABEL: func.func @convolution_channels_in_words
// CHECK-SAME: (%[[I:[a-z0-9]+]]: memref<?x8x?x?xf32>, %[[K:[a-z0-9]+]]: memref<64x8x3x3xf32>,
// CHECK: %[[IN:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}) : memref<?x?x?x8xf16>
// CHECK-NEXT: scf.parallel (%[[N:.*]], %[[Y:.*]], %[[XX:.*]], %[[C:.*]]) =
// CHECK-NEXT: %[[V:.*]] = memref.load %[[I]][%[[N]], %[[C]], %[[Y]], %[[XX]]] : memref<?x8x?x?xf32>
// CHECK-NEXT: %[[H:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK-NEXT: memref.store %[[H]], %[[IN]][%[[N]], %[[Y]], %[[XX]], %[[C]]] : memref<?x?x?x8xf16>
// The weights by (o, c), each its 3 × 3 window: 9 loads, then 9 stores.
// CHECK: %[[KK:.*]] = memref.alloc() : memref<64x3x3x8xf16>
// CHECK-NEXT: scf.parallel (%[[O:.*]], %[[KC:.*]]) = (%c0, %c0) to (%c64, %c8)
// CHECK-NEXT: %[[W00:.*]] = memref.load %[[K]][%[[O]], %[[KC]], %c0, %c0]
// CHECK-NEXT: %[[H00:.*]] = arith.truncf %[[W00]] : f32 to f16
// CHECK-COUNT-8: memref.load %[[K]]
// CHECK: memref.store %[[H00]], %[[KK]][%[[O]], %c0, %c0, %[[KC]]]
// CHECK-COUNT-8: memref.store %{{.*}}, %[[KK]]
// CHECK: gpu.launch
// CHECK: memref.alloc() : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: memref.alloc() : memref<64x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK: scf.for %[[WY:.*]] = %c0 to %c3
// CHECK-NEXT: scf.for %[[WX:.*]] = %c0 to %c3
// The input's word at pixel (y + ky, x + kx), 8 channels from the level.
// CHECK: %[[PY:.*]] = arith.addi %{{.*}}, %[[WY]]
// CHECK-NEXT: %[[PX:.*]] = arith.addi %{{.*}}, %[[WX]]
// CHECK-NEXT: %[[HALVES:.*]] = vector.load %[[IN]][%{{.*}}, %[[PY]], %[[PX]], %{{.*}}] : memref<?x?x?x8xf16>, vector<8xf16>
// CHECK-NEXT: vector.bitcast %[[HALVES]] : vector<8xf16> to vector<4xi32>
// CHECK: vector.load %[[KK]][%{{.*}}, %[[WY]], %[[WX]], %{{.*}}] : memref<64x3x3x8xf16>, vector<8xf16>
func.func @convolution_channels_in_words(%i: memref<?x8x?x?xf32>, %w: memref<64x8x3x3xf32>, %o: memref<?x64x?x?xf32>) attributes {avila.dispatch} {
  avila.contraction "conv2d" ins(%i, %w : memref<?x8x?x?xf32>, memref<64x8x3x3xf32>)
      outs(%o : memref<?x64x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 1, 1>}
  return
}

// A zero-padded copy made for the convolution alone (filled with zeros,
// the image copied in at (1, 2)) is not made: the channels-last copy reads
// the image itself at (y − 1, x − 2), clamped, and stores zero outside it.
// CHECK-LABEL: func.func @padded_convolution
// CHECK-SAME: (%[[I:[a-z0-9]+]]: memref<?x8x?x?xf32>,
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.map
// CHECK: %[[IN:.*]] = memref.alloc(%{{.*}}, %{{.*}}, %{{.*}}) : memref<?x?x?x8xf16>
// CHECK-NEXT: scf.parallel (%[[N:.*]], %[[Y:.*]], %[[XX:.*]], %[[C:.*]]) =
// CHECK-NEXT: %[[SY:.*]] = arith.subi %[[Y]], %c1 : index
// CHECK: %[[SX:.*]] = arith.subi %[[XX]], %c2 : index
// CHECK: %[[V:.*]] = memref.load %[[I]][%[[N]], %[[C]], %{{.*}}, %{{.*}}] : memref<?x8x?x?xf32>
// CHECK-NEXT: %[[H:.*]] = arith.truncf %[[V]] : f32 to f16
// CHECK-NEXT: %[[P:.*]] = arith.select %{{.*}}, %[[H]], %{{.*}} : f16
// CHECK-NEXT: memref.store %[[P]], %[[IN]][%[[N]], %[[Y]], %[[XX]], %[[C]]] : memref<?x?x?x8xf16>
// CHECK-NOT: memref.copy
// CHECK: return
func.func @padded_convolution(%i: memref<?x8x?x?xf32>, %w: memref<64x8x3x3xf32>, %o: memref<?x64x?x?xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %i, %c0 : memref<?x8x?x?xf32>
  %h = memref.dim %i, %c2 : memref<?x8x?x?xf32>
  %w0 = memref.dim %i, %c3 : memref<?x8x?x?xf32>
  %hp = affine.apply affine_map<()[s0] -> (s0 + 2)>()[%h]
  %wp = affine.apply affine_map<()[s0] -> (s0 + 4)>()[%w0]
  %padded = memref.alloc(%n, %hp, %wp) : memref<?x8x?x?xf32>
  linalg.map outs(%padded : memref<?x8x?x?xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %inner = memref.subview %padded[0, 0, 1, 2] [%n, 8, %h, %w0] [1, 1, 1, 1] : memref<?x8x?x?xf32> to memref<?x8x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>
  memref.copy %i, %inner : memref<?x8x?x?xf32> to memref<?x8x?x?xf32, strided<[?, ?, ?, 1], offset: ?>>
  avila.contraction "conv2d" ins(%padded, %w : memref<?x8x?x?xf32>, memref<64x8x3x3xf32>)
      outs(%o : memref<?x64x?x?xf32>)
      {indexing_maps = [#in, #k, #out], window_strides = array<i64: 1, 1>}
  memref.dealloc %padded : memref<?x8x?x?xf32>
  return
}

// With a depth split of 48, the linear layer's depth of 64 is cut into
// parts of whole slabs (2 of 32): the part is the slowest factor of the
// tile index, each part reduces its depths only and writes its sums into
// a scratch buffer [parts, batches, rows, columns]; a parallel loop after
// the launch adds the parts to the output.
// SPLIT-LABEL: func.func @linear_in_words
// SPLIT: %[[PARTS:.*]] = memref.alloc(%{{.*}}) : memref<2x?x77x40xf32>
// SPLIT: gpu.launch
// SPLIT: scf.if
// SPLIT-NEXT: %[[PART:.*]] = arith.divui %{{.*}}, %{{.*}} : index
// SPLIT-NEXT: arith.remui
// SPLIT-NEXT: %[[BEGIN:.*]] = arith.muli %[[PART]], %c32 : index
// SPLIT-NEXT: %[[NEXT:.*]] = arith.addi %[[BEGIN]], %c32 : index
// SPLIT-NEXT: %[[END:.*]] = arith.minui %[[NEXT]], %c64 : index
// SPLIT: scf.for %{{.*}} = %[[BEGIN]] to %[[END]] step %c32
// SPLIT: memref.store %{{.*}}, %[[PARTS]][%[[PART]], %{{.*}}, %{{.*}}, %{{.*}}] : memref<2x?x77x40xf32>
// SPLIT: gpu.terminator
// SPLIT: scf.parallel (%[[B:.*]], %[[R:.*]], %[[C:.*]]) = (%c0, %c0, %c0) to (%{{.*}}, %c77, %c40)
// SPLIT-NEXT: %[[P0:.*]] = memref.load %[[PARTS]][%c0, %[[B]], %[[R]], %[[C]]]
// SPLIT-NEXT: %[[P1:.*]] = memref.load %[[PARTS]][%c1, %[[B]], %[[R]], %[[C]]]
// SPLIT-NEXT: %[[SUM:.*]] = arith.addf %[[P0]], %[[P1]] : f32
// SPLIT-NEXT: %[[OLD:.*]] = memref.load %arg2[%[[B]], %[[R]], %[[C]]]
// SPLIT-NEXT: %[[NEW:.*]] = arith.addf %[[OLD]], %[[SUM]] : f32
// SPLIT-NEXT: memref.store %[[NEW]], %arg2[%[[B]], %[[R]], %[[C]]]

// A zero fill of the output just before the contraction and a bias added
// just after are the tiles' stores: out = products + bias, no launch for
// either and no load of the output.
#o = affine_map<(b, i, n) -> (b, i, n)>
#bias = affine_map<(b, i, n) -> (n)>
// CHECK-LABEL: func.func @linear_with_bias
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<40xf32>, %[[Y:[a-z0-9]+]]: memref<?x77x40xf32>)
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch
// CHECK: %[[SUM:.*]] = memref.load %{{.*}} : memref<64x36xf32, #spirv.storage_class<Workgroup>>
// CHECK: scf.if
// CHECK-NOT: memref.load %[[Y]]
// CHECK: %[[BV:.*]] = memref.load %[[B]][%{{.*}}] : memref<40xf32>
// CHECK-NEXT: %[[OUT:.*]] = arith.addf %[[SUM]], %[[BV]] : f32
// CHECK-NEXT: memref.store %[[OUT]], %[[Y]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @linear_with_bias(%x: memref<?x77x64xf32>, %w: memref<40x64xf32>, %bias: memref<40xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x77x40xf32>)
  avila.contraction "matmul" ins(%x, %w : memref<?x77x64xf32>, memref<40x64xf32>)
      outs(%y : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  linalg.generic {indexing_maps = [#o, #bias, #o], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y, %bias : memref<?x77x40xf32>, memref<40xf32>) outs(%y : memref<?x77x40xf32>) {
  ^bb0(%in: f32, %b: f32, %out: f32):
    %sum = arith.addf %in, %b : f32
    linalg.yield %sum : f32
  }
  return
}

// A bias and a residual added just after, into another buffer, where the
// products' buffer is scratch nothing else reads: the stores compute
// residual + (products + bias), as the generic's body does, into the
// generic's output; the scratch, its fill and the generic are gone.
// CHECK-LABEL: func.func @linear_with_bias_and_residual
// CHECK-SAME: %[[B:[a-z0-9]+]]: memref<40xf32>, %[[R:[a-z0-9]+]]: memref<?x77x40xf32>, %[[Y:[a-z0-9]+]]: memref<?x77x40xf32>)
// CHECK-NOT: memref.alloc(
// CHECK-NOT: linalg.fill
// CHECK: gpu.launch
// CHECK: %[[SUM:.*]] = memref.load %{{.*}} : memref<64x36xf32, #spirv.storage_class<Workgroup>>
// CHECK: scf.if
// CHECK: %[[RV:.*]] = memref.load %[[R]][%{{.*}}, %{{.*}}, %{{.*}}] : memref<?x77x40xf32>
// CHECK-NEXT: %[[BV:.*]] = memref.load %[[B]][%{{.*}}] : memref<40xf32>
// CHECK-NEXT: %[[BIASED:.*]] = arith.addf %[[SUM]], %[[BV]] : f32
// CHECK-NEXT: %[[OUT:.*]] = arith.addf %[[RV]], %[[BIASED]] : f32
// CHECK-NEXT: memref.store %[[OUT]], %[[Y]]
// CHECK: gpu.terminator
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.dealloc
// CHECK: return
func.func @linear_with_bias_and_residual(%x: memref<?x77x64xf32>, %w: memref<40x64xf32>, %bias: memref<40xf32>, %r: memref<?x77x40xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x77x64xf32>
  %scratch = memref.alloc(%n) : memref<?x77x40xf32>
  linalg.fill ins(%zero : f32) outs(%scratch : memref<?x77x40xf32>)
  avila.contraction "matmul" ins(%x, %w : memref<?x77x64xf32>, memref<40x64xf32>)
      outs(%scratch : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  linalg.generic {indexing_maps = [#o, #o, #bias, #o], iterator_types = ["parallel", "parallel", "parallel"]} ins(%r, %scratch, %bias : memref<?x77x40xf32>, memref<?x77x40xf32>, memref<40xf32>) outs(%y : memref<?x77x40xf32>) {
  ^bb0(%res: f32, %in: f32, %b: f32, %out: f32):
    %biased = arith.addf %in, %b : f32
    %sum = arith.addf %res, %biased : f32
    linalg.yield %sum : f32
  }
  memref.dealloc %scratch : memref<?x77x40xf32>
  return
}

// A scratch the epilogue does not alone read keeps the products and the
// generic stays.
// CHECK-LABEL: func.func @products_read_again
// CHECK: gpu.launch
// CHECK: linalg.generic
func.func @products_read_again(%x: memref<?x77x64xf32>, %w: memref<40x64xf32>, %bias: memref<40xf32>, %y: memref<?x77x40xf32>, %z: memref<?x77x40xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %x, %c0 : memref<?x77x64xf32>
  %scratch = memref.alloc(%n) : memref<?x77x40xf32>
  linalg.fill ins(%zero : f32) outs(%scratch : memref<?x77x40xf32>)
  avila.contraction "matmul" ins(%x, %w : memref<?x77x64xf32>, memref<40x64xf32>)
      outs(%scratch : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  linalg.generic {indexing_maps = [#o, #bias, #o], iterator_types = ["parallel", "parallel", "parallel"]} ins(%scratch, %bias : memref<?x77x40xf32>, memref<40xf32>) outs(%y : memref<?x77x40xf32>) {
  ^bb0(%in: f32, %b: f32, %out: f32):
    %sum = arith.addf %in, %b : f32
    linalg.yield %sum : f32
  }
  memref.copy %scratch, %z : memref<?x77x40xf32> to memref<?x77x40xf32>
  memref.dealloc %scratch : memref<?x77x40xf32>
  return
}

// A body that reads its loop indices is not elementwise on the values
// alone: the generic stays (and the stores write the products).
// CHECK-LABEL: func.func @epilogue_with_indices
// CHECK: gpu.launch
// CHECK: linalg.generic
// CHECK: linalg.index 2
func.func @epilogue_with_indices(%x: memref<?x77x64xf32>, %w: memref<40x64xf32>, %y: memref<?x77x40xf32>) attributes {avila.dispatch} {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%y : memref<?x77x40xf32>)
  avila.contraction "matmul" ins(%x, %w : memref<?x77x64xf32>, memref<40x64xf32>)
      outs(%y : memref<?x77x40xf32>)
      {indexing_maps = [#x, #w, #y], batch_dims = array<i64: 0>,
       m_dim = 1, n_dim = 2, k_dim = 3}
  linalg.generic {indexing_maps = [#o, #o], iterator_types = ["parallel", "parallel", "parallel"]} ins(%y : memref<?x77x40xf32>) outs(%y : memref<?x77x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = linalg.index 2 : index
    %i = arith.index_cast %n : index to i32
    %f = arith.sitofp %i : i32 to f32
    %sum = arith.addf %in, %f : f32
    linalg.yield %sum : f32
  }
  return
}
