// RUN: avila-opt %s --avila-set-target-environment | FileCheck %s
// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{profile=lavapipe})' | FileCheck %s
// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{storage-f16=true profile=nvidia-h100})' | FileCheck %s --check-prefix=F16
// RUN: not avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{profile=nvidia-h200})' 2>&1 | FileCheck %s --check-prefix=UNKNOWN

// Every kernel: SPIR-V 1.3, Shader, Int64 and the subgroup arithmetic of
// workgroup reductions, storage buffers through
// SPV_KHR_storage_buffer_storage_class, the default limits.
// CHECK: gpu.module @plain attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic], [SPV_KHR_storage_buffer_storage_class]>, #spirv.resource_limits<>>}
// With f16 buffers (precision fp16): also Float16 and
// StorageBuffer16BitAccess through SPV_KHR_16bit_storage.
// F16: gpu.module @plain attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic, Float16, StorageBuffer16BitAccess], [SPV_KHR_storage_buffer_storage_class, SPV_KHR_16bit_storage]>, #spirv.resource_limits<>>}
gpu.module @plain {
  gpu.func @kernel(%x: memref<?xf32>) kernel {
    gpu.return
  }
}
// UNKNOWN: error: unknown device profile 'nvidia-h200' (the profiles: generic, generic-fp16, lavapipe, nvidia-h100, auto for this machine's Vulkan device, or a .json file)
