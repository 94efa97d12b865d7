// RUN: avila-opt %s --pass-pipeline='builtin.module(spirv.module(avila-use-vulkan-memory-model,cse))' | FileCheck %s

// A module that multiplies cooperative matrices: the Vulkan memory model,
// workgroup-memory accesses non-private, barriers that make them available
// and visible. Storage-buffer accesses stay as they are.
// CHECK-LABEL: spirv.module Logical Vulkan
// CHECK: spirv.Store "Workgroup" %{{.*}}, %{{.*}} ["NonPrivatePointer"] : f16
// CHECK: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory|MakeAvailable|MakeVisible>
// CHECK: spirv.KHR.CooperativeMatrixLoad %{{.*}}, %{{.*}}, <RowMajor>, <NonPrivatePointer> : !spirv.ptr<f16, Workgroup>
// CHECK: spirv.KHR.CooperativeMatrixMulAdd
// CHECK: spirv.KHR.CooperativeMatrixStore %{{.*}}, %{{.*}}, %{{.*}}, <RowMajor>, <NonPrivatePointer> : !spirv.ptr<f32, Workgroup>
// CHECK: %[[V:.*]] = spirv.Load "Workgroup" %{{.*}} ["NonPrivatePointer"] : f32
// CHECK: spirv.Store "StorageBuffer" %{{.*}}, %[[V]] : f32
spirv.module Logical GLSL450 {
  spirv.GlobalVariable @slab : !spirv.ptr<!spirv.array<256 x f16>, Workgroup>
  spirv.GlobalVariable @sums : !spirv.ptr<!spirv.array<256 x f32>, Workgroup>
  spirv.GlobalVariable @out bind(0, 0) : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
  spirv.func @multiply(%x: f16) "None" {
    %c0 = spirv.Constant 0 : i32
    %c16 = spirv.Constant 16 : i32
    %slab = spirv.mlir.addressof @slab : !spirv.ptr<!spirv.array<256 x f16>, Workgroup>
    %sums = spirv.mlir.addressof @sums : !spirv.ptr<!spirv.array<256 x f32>, Workgroup>
    %out = spirv.mlir.addressof @out : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>
    %p = spirv.AccessChain %slab[%c0] : !spirv.ptr<!spirv.array<256 x f16>, Workgroup>, i32 -> !spirv.ptr<f16, Workgroup>
    spirv.Store "Workgroup" %p, %x : f16
    spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
    %a = spirv.KHR.CooperativeMatrixLoad %p, %c16, <RowMajor> : !spirv.ptr<f16, Workgroup>, i32 -> !spirv.coopmatrix<16x16xf16, Subgroup, MatrixA>
    %b = spirv.KHR.CooperativeMatrixLoad %p, %c16, <RowMajor> : !spirv.ptr<f16, Workgroup>, i32 -> !spirv.coopmatrix<16x16xf16, Subgroup, MatrixB>
    %zero = spirv.Constant 0.0 : f32
    %c = spirv.CompositeConstruct %zero : (f32) -> !spirv.coopmatrix<16x16xf32, Subgroup, MatrixAcc>
    %d = spirv.KHR.CooperativeMatrixMulAdd %a, %b, %c : !spirv.coopmatrix<16x16xf16, Subgroup, MatrixA>, !spirv.coopmatrix<16x16xf16, Subgroup, MatrixB> -> !spirv.coopmatrix<16x16xf32, Subgroup, MatrixAcc>
    %q = spirv.AccessChain %sums[%c0] : !spirv.ptr<!spirv.array<256 x f32>, Workgroup>, i32 -> !spirv.ptr<f32, Workgroup>
    spirv.KHR.CooperativeMatrixStore %q, %d, %c16, <RowMajor> : !spirv.ptr<f32, Workgroup>, !spirv.coopmatrix<16x16xf32, Subgroup, MatrixAcc>, i32
    %v = spirv.Load "Workgroup" %q : f32
    %o = spirv.AccessChain %out[%c0, %c0] : !spirv.ptr<!spirv.struct<(!spirv.rtarray<f32, stride=4> [0])>, StorageBuffer>, i32, i32 -> !spirv.ptr<f32, StorageBuffer>
    spirv.Store "StorageBuffer" %o, %v : f32
    spirv.Return
  }
}

// Without cooperative matrices the module keeps its memory model and its
// accesses.
// CHECK-LABEL: spirv.module Logical GLSL450
// CHECK: spirv.Store "Workgroup" %{{.*}}, %{{.*}} : f32
// CHECK-NEXT: spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
spirv.module Logical GLSL450 {
  spirv.GlobalVariable @shared : !spirv.ptr<!spirv.array<4 x f32>, Workgroup>
  spirv.func @plain(%x: f32) "None" {
    %c0 = spirv.Constant 0 : i32
    %shared = spirv.mlir.addressof @shared : !spirv.ptr<!spirv.array<4 x f32>, Workgroup>
    %p = spirv.AccessChain %shared[%c0] : !spirv.ptr<!spirv.array<4 x f32>, Workgroup>, i32 -> !spirv.ptr<f32, Workgroup>
    spirv.Store "Workgroup" %p, %x : f32
    spirv.ControlBarrier <Workgroup>, <Workgroup>, <AcquireRelease|WorkgroupMemory>
    spirv.Return
  }
}
