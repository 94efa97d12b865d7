// RUN: avila-opt %s --avila-map-loops-to-workgroups --gpu-kernel-outlining --avila-describe-launches | FileCheck %s

// A kernel of two launches sharing one scratch buffer of rows·cols floats:
// the first doubles x (a flat view of a ?x? argument) into the scratch, the
// second adds each row of the scratch into y, through a private array.
// Every size is an affine map over the sources (argument 0 axis 0, argument
// 0 axis 1); the scratch buffer is buffer -1; buffers the launch only reads
// bind first (accesses: 0 read, 1 write, 2 read-write).
// CHECK-DAG: #[[PUSH0:.*]] = affine_map<()[s0, s1] -> (64, s0 * s1)>
// CHECK-DAG: #[[COUNT0:.*]] = affine_map<()[s0, s1] -> (((s0 * s1) floordiv 64 + 1) ceildiv (((s0 * s1) floordiv 64 + 1) ceildiv 65535), ((s0 * s1) floordiv 64 + 1) ceildiv 65535, 1)>
// CHECK-DAG: #[[PUSH1:.*]] = affine_map<()[s0, s1] -> (64, s0, 0, s1, 1)>
// CHECK-DAG: #[[COUNT1:.*]] = affine_map<()[s0, s1] -> ((s0 floordiv 64 + 1) ceildiv ((s0 floordiv 64 + 1) ceildiv 65535), (s0 floordiv 64 + 1) ceildiv 65535, 1)>
// CHECK-DAG: #[[SCRATCH:.*]] = affine_map<()[s0, s1] -> (s0 * s1)>

// CHECK-LABEL: func.func @kernel
// CHECK-SAME: attributes {avila.dispatch, avila.launch_plan = {launches = [
// CHECK-SAME: {accesses = array<i64: 0, 1>, buffers = array<i64: 0, -1>, entry_point = "kernel_kernel", kernel = "kernel_kernel", push_constants = #[[PUSH0]], workgroup_count = #[[COUNT0]], workgroup_size = array<i64: 64, 1, 1>},
// CHECK-SAME: {accesses = array<i64: 0, 2>, buffers = array<i64: -1, 1>, entry_point = "kernel_kernel", kernel = "kernel_kernel_0", push_constants = #[[PUSH1]], workgroup_count = #[[COUNT1]], workgroup_size = array<i64: 64, 1, 1>}],
// CHECK-SAME: scratch = [{element_type = f32, sizes = #[[SCRATCH]]}], sources = array<i64: 0, 0, 0, 1>}} {
// The host side is the plan now.
// CHECK-NEXT: return
// CHECK-NEXT: }

// x (read) binds at 0, the scratch (written) at 1; the two sizes come from
// the push-constant block as 32-bit words.
// CHECK: gpu.module @kernel_kernel {
// CHECK-NEXT: gpu.func @kernel_kernel(%[[X:.*]]: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}, %[[S:.*]]: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>}, %[[PC:.*]]: memref<2xi32, #spirv.storage_class<PushConstant>> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, {{[0-9]+}})>})
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK-NEXT: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[W0:.*]] = memref.load %[[PC]][%[[C0]]] : memref<2xi32, #spirv.storage_class<PushConstant>>
// CHECK-NEXT: %[[SIZE:.*]] = arith.index_cast %[[W0]] : i32 to index
// CHECK-NEXT: %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT: %[[W1:.*]] = memref.load %[[PC]][%[[C1]]] : memref<2xi32, #spirv.storage_class<PushConstant>>
// CHECK-NEXT: %[[TOTAL:.*]] = arith.index_cast %[[W1]] : i32 to index
// CHECK: arith.muli %{{.*}}, %[[SIZE]] : index
// CHECK: arith.cmpi ult, %{{.*}}, %[[TOTAL]] : index
// CHECK: memref.load %[[X]]
// CHECK: memref.store %{{.*}}, %[[S]]
// CHECK: gpu.return

// y comes first in the launch's operands but is read and written: the
// read-only scratch binds at 0, y at 1; the private array is in Function
// storage.
// CHECK: gpu.module @kernel_kernel_0 {
// CHECK-NEXT: gpu.func @kernel_kernel(%[[Y:.*]]: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 1)>}, %[[S:.*]]: memref<?xf32> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, 0)>}, %[[PC:.*]]: memref<5xi32, #spirv.storage_class<PushConstant>> {spirv.interface_var_abi = #spirv.interface_var_abi<(0, {{[0-9]+}})>})
// CHECK-SAME: spirv.entry_point_abi = #spirv.entry_point_abi<workgroup_size = [64, 1, 1]>
// CHECK-COUNT-5: arith.index_cast %{{.*}} : i32 to index
// CHECK: scf.if
// CHECK-NEXT: %[[PRIVATE:.*]] = memref.alloca() : memref<1xf32, #spirv.storage_class<Function>>
// CHECK-NEXT: %[[OLD:.*]] = memref.load %[[Y]]
// CHECK-NEXT: memref.store %[[OLD]], %[[PRIVATE]]
// CHECK: memref.load %[[S]]
// CHECK: memref.store %{{.*}}, %[[Y]]
// CHECK: gpu.return
// CHECK-NOT: gpu.launch_func
// CHECK-NOT: index {spirv.interface_var_abi
func.func @kernel(%x: memref<?x?xf32>, %y: memref<?xf32>) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %rows = memref.dim %x, %c0 : memref<?x?xf32>
  %cols = memref.dim %x, %c1 : memref<?x?xf32>
  %n = arith.muli %rows, %cols : index
  %xf = memref.reinterpret_cast %x to offset: [0], sizes: [%n], strides: [1] : memref<?x?xf32> to memref<?xf32>
  %scratch = memref.alloc(%n) : memref<?xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %v = memref.load %xf[%i] : memref<?xf32>
    %d = arith.addf %v, %v : f32
    memref.store %d, %scratch[%i] : memref<?xf32>
    scf.reduce
  }
  scf.parallel (%r) = (%c0) to (%rows) step (%c1) {
    %private = memref.alloca() : memref<1xf32>
    %old = memref.load %y[%r] : memref<?xf32>
    memref.store %old, %private[%c0] : memref<1xf32>
    scf.for %j = %c0 to %cols step %c1 {
      %base = arith.muli %r, %cols : index
      %at = arith.addi %base, %j : index
      %v = memref.load %scratch[%at] : memref<?xf32>
      %s = memref.load %private[%c0] : memref<1xf32>
      %t = arith.addf %s, %v : f32
      memref.store %t, %private[%c0] : memref<1xf32>
    }
    %sum = memref.load %private[%c0] : memref<1xf32>
    memref.store %sum, %y[%r] : memref<?xf32>
    scf.reduce
  }
  return
}

// A constant table the loop reads (the timestep embedding's frequencies)
// reaches the kernel, which fills a private copy of it: SPIR-V storage
// buffers come only from bindings, so no global survives in the kernel's
// module.
// CHECK-LABEL: func.func @table
// CHECK-SAME: buffers = array<i64: 0>
// CHECK: gpu.module @table_kernel
// CHECK-NOT: memref.global
// CHECK: gpu.func @table_kernel
// CHECK: %[[COPY:.*]] = memref.alloca() : memref<3xf32, #spirv.storage_class<Function>>
// CHECK-DAG: memref.store %{{.*}}, %[[COPY]][%{{.*}}]
// CHECK-NOT: memref.get_global
// CHECK: memref.load %[[COPY]]
memref.global "private" constant @frequencies : memref<3xf32> = dense<[1.0, 0.5, 0.25]>
func.func @table(%x: memref<?xf32>, %n: index) attributes {avila.dispatch} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %t = memref.get_global @frequencies : memref<3xf32>
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %j = arith.remui %i, %c3 : index
    %f = memref.load %t[%j] : memref<3xf32>
    %v = memref.load %x[%i] : memref<?xf32>
    %w = arith.mulf %v, %f : f32
    memref.store %w, %x[%i] : memref<?xf32>
    scf.reduce
  }
  return
}
