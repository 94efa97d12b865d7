// RUN: avila-opt %s --avila-fused-attention-to-ukernel --canonicalize | FileCheck %s

// 8 heads of 8 query/key channels and 4 value channels: sizes, the scale's
// f32 bits (1/sqrt(8) = 0x3EB504F3) and each operand's strides as (batch,
// position, head, channel), the head stride being 8 or 4 channels, in the
// order of UkernelAbi.h. Constants print as %c<value>.
// CHECK: func.func private @avila_ukernel_attention(index)
// CHECK-LABEL: func.func @attention
// CHECK-DAG: %[[Q:.*]] = memref.extract_aligned_pointer_as_index %arg0
// CHECK-DAG: %[[K:.*]] = memref.extract_aligned_pointer_as_index %arg1
// CHECK-DAG: %[[V:.*]] = memref.extract_aligned_pointer_as_index %arg2
// CHECK-DAG: %[[O:.*]] = memref.extract_aligned_pointer_as_index %arg3
// CHECK: %[[PARAMS:.*]] = memref.alloca() : memref<27xindex>
// CHECK-NEXT: memref.store %[[Q]], %[[PARAMS]][%c0]
// CHECK-NEXT: memref.store %[[K]], %[[PARAMS]][%c1]
// CHECK-NEXT: memref.store %[[V]], %[[PARAMS]][%c2]
// CHECK-NEXT: memref.store %[[O]], %[[PARAMS]][%c3]
// CHECK-NEXT: memref.store %c2, %[[PARAMS]][%c4]
// CHECK-NEXT: memref.store %c8, %[[PARAMS]][%c5]
// CHECK-NEXT: memref.store %c9, %[[PARAMS]][%c6]
// CHECK-NEXT: memref.store %c7, %[[PARAMS]][%c7]
// CHECK-NEXT: memref.store %c8, %[[PARAMS]][%c8]
// CHECK-NEXT: memref.store %c4, %[[PARAMS]][%c9]
// CHECK-NEXT: memref.store %c1052050675, %[[PARAMS]][%c10]
// CHECK-NEXT: memref.store %c576, %[[PARAMS]][%c11]
// CHECK-NEXT: memref.store %c64, %[[PARAMS]][%c12]
// CHECK-NEXT: memref.store %c8, %[[PARAMS]][%c13]
// CHECK-NEXT: memref.store %c1, %[[PARAMS]][%c14]
// CHECK-NEXT: memref.store %c448, %[[PARAMS]][%c15]
// CHECK-NEXT: memref.store %c64, %[[PARAMS]][%c16]
// CHECK-NEXT: memref.store %c8, %[[PARAMS]][%c17]
// CHECK-NEXT: memref.store %c1, %[[PARAMS]][%c18]
// CHECK-NEXT: memref.store %c224, %[[PARAMS]][%c19]
// CHECK-NEXT: memref.store %c32, %[[PARAMS]][%c20]
// CHECK-NEXT: memref.store %c4, %[[PARAMS]][%c21]
// CHECK-NEXT: memref.store %c1, %[[PARAMS]][%c22]
// CHECK-NEXT: memref.store %c288, %[[PARAMS]][%c23]
// CHECK-NEXT: memref.store %c32, %[[PARAMS]][%c24]
// CHECK-NEXT: memref.store %c4, %[[PARAMS]][%c25]
// CHECK-NEXT: memref.store %c1, %[[PARAMS]][%c26]
// CHECK-NEXT: %[[ADDRESS:.*]] = memref.extract_aligned_pointer_as_index %[[PARAMS]]
// CHECK-NEXT: call @avila_ukernel_attention(%[[ADDRESS]]) : (index) -> ()
// CHECK-NOT: avila.fused_attention
func.func @attention(%q: memref<2x9x64xf32>, %k: memref<2x7x64xf32>, %v: memref<2x7x32xf32>, %o: memref<2x9x32xf32>) {
  avila.fused_attention heads 8 scale 0.35355339059327373 ins(%q, %k, %v : memref<2x9x64xf32>, memref<2x7x64xf32>, memref<2x7x32xf32>) outs(%o : memref<2x9x32xf32>)
  return
}
