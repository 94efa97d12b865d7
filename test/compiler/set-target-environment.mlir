// RUN: avila-opt %s --avila-set-target-environment | FileCheck %s
// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{profile=portable})' | FileCheck %s
// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{storage-f16=true})' | FileCheck %s --check-prefix=F16

// The portable profile: SPIR-V 1.3, Shader, Int64 and the subgroup
// arithmetic of workgroup reductions, storage buffers through
// SPV_KHR_storage_buffer_storage_class, the default limits.
// CHECK: module attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic], [SPV_KHR_storage_buffer_storage_class]>, #spirv.resource_limits<>>}
// With f16 buffers (precision fp16): also Float16 and
// StorageBuffer16BitAccess through SPV_KHR_16bit_storage.
// F16: module attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic, Float16, StorageBuffer16BitAccess], [SPV_KHR_storage_buffer_storage_class, SPV_KHR_16bit_storage]>, #spirv.resource_limits<>>}
// CHECK: func.func @kernel
func.func @kernel(%x: memref<?xf32>) attributes {avila.dispatch} {
  return
}
