// RUN: avila-opt %s --split-input-file --avila-tile-attention --canonicalize --cse | FileCheck %s

// Cross-attention of SD 1.5's first level: 2 heads of 40 channels, 77 keys.
// A workgroup of 64 invocations owns 64 query rows of one (batch, head):
// query blocks · batches · heads (? · ? · 2) is the linear index split over
// y · z: z = t / 65535 + 1, y = t / z + 1. Key and value rows take
// 2 · 40 · 4 = 320 bytes a key, so blocks of 32 keys (10 KiB) fit in 16 KiB
// and 64 would not.
// CHECK-LABEL: func.func @cross
// CHECK-SAME: (%[[Q:[a-z0-9]+]]: memref<?x?x80xf32>, %[[K:[a-z0-9]+]]: memref<?x77x80xf32>, %[[V:[a-z0-9]+]]: memref<?x77x80xf32>, %[[O:[a-z0-9]+]]: memref<?x?x80xf32>)
// CHECK-NOT: avila.fused_attention
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[C40:.*]] = arith.constant 40 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C77:.*]] = arith.constant 77 : index
// CHECK-DAG: %[[C1280:.*]] = arith.constant 1280 : index
// CHECK-DAG: %[[C65535:.*]] = arith.constant 65535 : index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 0.158113882 : f32
// CHECK: %[[B:.*]] = memref.dim %[[Q]], %[[C0]]
// CHECK-NEXT: %[[LQ:.*]] = memref.dim %[[Q]], %[[C1]]
// CHECK-NEXT: %[[QB:.*]] = arith.ceildivui %[[LQ]], %[[C64]]
// CHECK-NEXT: %[[BH:.*]] = arith.muli %[[B]], %[[C2]]
// CHECK-NEXT: %[[GROUPS:.*]] = arith.muli %[[QB]], %[[BH]]
// CHECK-NEXT: %[[ZQ:.*]] = arith.divui %[[GROUPS]], %[[C65535]]
// CHECK-NEXT: %[[GZ:.*]] = arith.addi %[[ZQ]], %[[C1]]
// CHECK-NEXT: %[[YQ:.*]] = arith.divui %[[GROUPS]], %[[GZ]]
// CHECK-NEXT: %[[GY:.*]] = arith.addi %[[YQ]], %[[C1]]
// CHECK-NEXT: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %[[C1]], %[[NY:.*]] = %[[GY]], %{{.*}} = %[[GZ]]) threads(%[[T:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C64]], %{{.*}} = %[[C1]], %{{.*}} = %[[C1]])
// CHECK-NEXT: %[[KB:.*]] = memref.alloc() : memref<32x40xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[VB:.*]] = memref.alloc() : memref<32x40xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: %[[ZG:.*]] = arith.muli %[[BZ]], %[[NY]]
// CHECK-NEXT: %[[G:.*]] = arith.addi %[[ZG]], %[[BY]]
// Workgroups past the last block leave whole.
// CHECK-NEXT: %[[LIVE:.*]] = arith.cmpi ult, %[[G]], %[[GROUPS]]
// CHECK-NEXT: scf.if %[[LIVE]] {
// CHECK-NEXT: %[[BHI:.*]] = arith.divui %[[G]], %[[QB]]
// CHECK-NEXT: %[[BI:.*]] = arith.divui %[[BHI]], %[[C2]]
// CHECK-NEXT: %[[H:.*]] = arith.remui %[[BHI]], %[[C2]]
// CHECK-NEXT: %[[QBI:.*]] = arith.remui %[[G]], %[[QB]]
// CHECK-NEXT: %[[ROW0:.*]] = arith.muli %[[QBI]], %[[C64]]
// CHECK-NEXT: %[[I:.*]] = arith.addi %[[ROW0]], %[[T]]
// CHECK-NEXT: %[[ROW_IN:.*]] = arith.cmpi ult, %[[I]], %[[LQ]]
// CHECK-NEXT: %[[CH0:.*]] = arith.muli %[[H]], %[[C40]]
// The query row, loaded once into private memory (zeros past the last row).
// CHECK-NEXT: %[[QROW:.*]] = memref.alloca() : memref<40xf32>
// CHECK-NEXT: scf.for %[[D:.*]] = %[[C0]] to %[[C40]] step %[[C1]] {
// CHECK-NEXT: %[[QC:.*]] = arith.addi %[[CH0]], %[[D]]
// CHECK-NEXT: %[[QX:.*]] = scf.if %[[ROW_IN]] -> (f32) {
// CHECK-NEXT: %[[QL:.*]] = memref.load %[[Q]][%[[BI]], %[[I]], %[[QC]]]
// CHECK-NEXT: scf.yield %[[QL]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[ZERO]]
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[QX]], %[[QROW]][%[[D]]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[ACC:.*]] = memref.alloca() : memref<40xf32>
// CHECK-NEXT: scf.for %[[D:.*]] = %[[C0]] to %[[C40]] step %[[C1]] {
// CHECK-NEXT: memref.store %[[ZERO]], %[[ACC]][%[[D]]]
// CHECK-NEXT: }
// The key-block loop carries the running maximum and sum.
// CHECK-NEXT: %[[STATE:.*]]:2 = scf.for %[[K0:.*]] = %[[C0]] to %[[C77]] step %[[C32]] iter_args(%[[M0:.*]] = %[[NEG_INF]], %[[L0:.*]] = %[[ZERO]]) -> (f32, f32) {
// Invocation t copies elements t, t + 64, … of the 32 × 40 key block, zeros
// past the last key; then the value block.
// CHECK-NEXT: scf.for %[[E:.*]] = %[[T]] to %[[C1280]] step %[[C64]] {
// CHECK-NEXT: %[[KEY:.*]] = arith.divui %[[E]], %[[C40]]
// CHECK-NEXT: %[[KD:.*]] = arith.remui %[[E]], %[[C40]]
// CHECK-NEXT: %[[J:.*]] = arith.addi %[[K0]], %[[KEY]]
// CHECK-NEXT: %[[KC:.*]] = arith.addi %[[CH0]], %[[KD]]
// CHECK-NEXT: %[[KEY_IN:.*]] = arith.cmpi ult, %[[J]], %[[C77]]
// CHECK-NEXT: %[[KX:.*]] = scf.if %[[KEY_IN]] -> (f32) {
// CHECK-NEXT: %[[KL:.*]] = memref.load %[[K]][%[[BI]], %[[J]], %[[KC]]]
// CHECK-NEXT: scf.yield %[[KL]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[ZERO]]
// CHECK-NEXT: }
// CHECK-NEXT: memref.store %[[KX]], %[[KB]][%[[KEY]], %[[KD]]]
// CHECK-NEXT: }
// CHECK-NEXT: scf.for %{{.*}} = %[[T]] to %[[C1280]] step %[[C64]] {
// CHECK: memref.load %[[V]]
// CHECK: memref.store %{{.*}}, %[[VB]]
// CHECK-NEXT: }
// CHECK-NEXT: gpu.barrier
// The last block has 77 - 64 = 13 keys.
// CHECK-NEXT: %[[REST:.*]] = arith.subi %[[C77]], %[[K0]]
// CHECK-NEXT: %[[N:.*]] = arith.minui %[[REST]], %[[C32]]
// CHECK-NEXT: %[[NEXT:.*]]:2 = scf.for %[[JJ:.*]] = %[[C0]] to %[[N]] step %[[C1]] iter_args(%[[M:.*]] = %[[M0]], %[[L:.*]] = %[[L0]]) -> (f32, f32) {
// CHECK-NEXT: %[[DOT:.*]] = scf.for %[[DD:.*]] = %[[C0]] to %[[C40]] step %[[C1]] iter_args(%[[PART:.*]] = %[[ZERO]]) -> (f32) {
// CHECK-NEXT: %[[QD:.*]] = memref.load %[[QROW]][%[[DD]]]
// CHECK-NEXT: %[[KD2:.*]] = memref.load %[[KB]][%[[JJ]], %[[DD]]]
// CHECK-NEXT: %[[PROD:.*]] = arith.mulf %[[QD]], %[[KD2]]
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[PART]], %[[PROD]]
// CHECK-NEXT: scf.yield %[[SUM]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]] = arith.mulf %[[DOT]], %[[SCALE]]
// CHECK-NEXT: %[[NEW_M:.*]] = arith.maximumf %[[M]], %[[S]]
// CHECK: %[[CORR:.*]] = math.exp
// CHECK: %[[W:.*]] = math.exp
// CHECK: scf.for %[[DV:.*]] = %[[C0]] to %[[C40]] step %[[C1]] {
// CHECK-NEXT: %[[VX:.*]] = memref.load %[[VB]][%[[JJ]], %[[DV]]]
// CHECK-NEXT: %[[P:.*]] = memref.load %[[ACC]][%[[DV]]]
// CHECK-NEXT: %[[PC:.*]] = arith.mulf %[[P]], %[[CORR]]
// CHECK-NEXT: %[[WV:.*]] = arith.mulf %[[W]], %[[VX]]
// CHECK-NEXT: %[[U:.*]] = arith.addf %[[PC]], %[[WV]]
// CHECK-NEXT: memref.store %[[U]], %[[ACC]][%[[DV]]]
// CHECK-NEXT: }
// CHECK-NEXT: scf.yield %[[NEW_M]], %{{.*}} : f32, f32
// CHECK-NEXT: }
// The blocks are overwritten only once every invocation has read them.
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: scf.yield %[[NEXT]]#0, %[[NEXT]]#1
// CHECK-NEXT: }
// Rows past the last query computed along but store nothing.
// CHECK-NEXT: scf.if %[[ROW_IN]] {
// CHECK-NEXT: scf.for %[[D:.*]] = %[[C0]] to %[[C40]] step %[[C1]] {
// CHECK-NEXT: %[[OC:.*]] = arith.addi %[[CH0]], %[[D]]
// CHECK-NEXT: %[[A:.*]] = memref.load %[[ACC]][%[[D]]]
// CHECK-NEXT: %[[OUT:.*]] = arith.divf %[[A]], %[[STATE]]#1
// CHECK-NEXT: memref.store %[[OUT]], %[[O]][%[[BI]], %[[I]], %[[OC]]]
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: gpu.terminator
func.func @cross(%q: memref<?x?x80xf32>, %k: memref<?x77x80xf32>, %v: memref<?x77x80xf32>, %o: memref<?x?x80xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 2 scale 0.15811388300841897 ins(%q, %k, %v : memref<?x?x80xf32>, memref<?x77x80xf32>, memref<?x77x80xf32>) outs(%o : memref<?x?x80xf32>)
  return
}

// -----

// The deepest level's heads of 160 channels: 1280 bytes a key, blocks of 8
// keys; values of 16 channels beside keys of 32: 192 bytes a key, blocks of
// 64.
// CHECK-LABEL: func.func @wide
// CHECK: memref.alloc() : memref<8x160xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: memref.alloc() : memref<8x160xf32, #spirv.storage_class<Workgroup>>
// CHECK-LABEL: func.func @narrow_values
// CHECK: memref.alloc() : memref<64x32xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: memref.alloc() : memref<64x16xf32, #spirv.storage_class<Workgroup>>
// The VAE's one head of 512 channels: 4096 bytes a key, blocks of 4 keys.
// CHECK-LABEL: func.func @vae
// CHECK: memref.alloc() : memref<4x512xf32, #spirv.storage_class<Workgroup>>
// CHECK-NEXT: memref.alloc() : memref<4x512xf32, #spirv.storage_class<Workgroup>>
func.func @wide(%q: memref<?x?x1280xf32>, %o: memref<?x?x1280xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 8 scale 0.07905694150420949 ins(%q, %q, %q : memref<?x?x1280xf32>, memref<?x?x1280xf32>, memref<?x?x1280xf32>) outs(%o : memref<?x?x1280xf32>)
  return
}
func.func @narrow_values(%q: memref<?x?x64xf32>, %v: memref<?x?x32xf32>, %o: memref<?x?x32xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 2 scale 0.17677669529663687 ins(%q, %q, %v : memref<?x?x64xf32>, memref<?x?x64xf32>, memref<?x?x32xf32>) outs(%o : memref<?x?x32xf32>)
  return
}
func.func @vae(%q: memref<?x?x512xf32>, %o: memref<?x?x512xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 1 scale 0.044194173824159216 ins(%q, %q, %q : memref<?x?x512xf32>, memref<?x?x512xf32>, memref<?x?x512xf32>) outs(%o : memref<?x?x512xf32>)
  return
}

// -----

// Left for the loop lowering: half precision, heads over 512 channels, and
// attention outside a kernel's host side.
// CHECK-LABEL: func.func @half
// CHECK-NEXT: avila.fused_attention
// CHECK-LABEL: func.func @too_wide
// CHECK-NEXT: avila.fused_attention
// CHECK-LABEL: func.func @not_a_kernel
// CHECK-NEXT: avila.fused_attention
func.func @half(%q: memref<?x?x80xf16>, %o: memref<?x?x80xf16>) attributes {avila.dispatch} {
  avila.fused_attention heads 2 scale 0.25 ins(%q, %q, %q : memref<?x?x80xf16>, memref<?x?x80xf16>, memref<?x?x80xf16>) outs(%o : memref<?x?x80xf16>)
  return
}
func.func @too_wide(%q: memref<?x?x1040xf32>, %o: memref<?x?x1040xf32>) attributes {avila.dispatch} {
  avila.fused_attention heads 2 scale 0.25 ins(%q, %q, %q : memref<?x?x1040xf32>, memref<?x?x1040xf32>, memref<?x?x1040xf32>) outs(%o : memref<?x?x1040xf32>)
  return
}
func.func @not_a_kernel(%q: memref<?x?x80xf32>, %o: memref<?x?x80xf32>) {
  avila.fused_attention heads 2 scale 0.25 ins(%q, %q, %q : memref<?x?x80xf32>, memref<?x?x80xf32>, memref<?x?x80xf32>) outs(%o : memref<?x?x80xf32>)
  return
}
