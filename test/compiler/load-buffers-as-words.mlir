// RUN: avila-opt %s --avila-load-buffers-as-words | FileCheck %s

// An f16 kernel buffer read only 8 halves at a time, each load only
// bitcast to a word, is bound as an array of 16-byte words (same binding)
// and read a word at index / 8; a buffer read a value at a time stays f16.
// CHECK-LABEL: gpu.func @slab_copy
// CHECK-SAME: (%[[X:[a-z0-9]+]]: memref<?xvector<4xi32>> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>},
// CHECK-SAME: %[[Y:[a-z0-9]+]]: memref<?xf16> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>},
// CHECK: %[[WORD:.*]] = arith.divui %[[AT:.*]], %c8{{.*}} : index
// CHECK-NEXT: %[[W:.*]] = memref.load %[[X]][%[[WORD]]] : memref<?xvector<4xi32>>
// CHECK-NEXT: memref.store %[[W]], %{{.*}}[%{{.*}}] : memref<4xvector<4xi32>, #spirv.storage_class<Workgroup>>
// CHECK: memref.load %[[Y]][%{{.*}}] : memref<?xf16>
// CHECK-NOT: vector.load
// CHECK-NOT: vector.bitcast
gpu.module @kernels {
  gpu.func @slab_copy(%x: memref<?xf16> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>},
                      %y: memref<?xf16> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>},
                      %z: memref<?xf16> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 2)>}) kernel
      attributes {spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [4, 1, 1]>} {
    %t = gpu.thread_id x
    %c8 = arith.constant 8 : index
    %slab = memref.alloc() : memref<4xvector<4xi32>, #spirv.storage_class<Workgroup>>
    %at = arith.muli %t, %c8 : index
    %halves = vector.load %x[%at] : memref<?xf16>, vector<8xf16>
    %word = vector.bitcast %halves : vector<8xf16> to vector<4xi32>
    memref.store %word, %slab[%t] : memref<4xvector<4xi32>, #spirv.storage_class<Workgroup>>
    %v = memref.load %y[%t] : memref<?xf16>
    memref.store %v, %z[%t] : memref<?xf16>
    gpu.return
  }
}
