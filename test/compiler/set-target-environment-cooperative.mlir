// RUN: avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{storage-f16=true profile=nvidia-h100})' | FileCheck %s
// RUN: not avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{storage-f16=true})' 2>&1 | FileCheck %s --check-prefix=NOCOOP
// RUN: not avila-opt %s --pass-pipeline='builtin.module(avila-set-target-environment{profile=nvidia-h100})' 2>&1 | FileCheck %s --check-prefix=NOCOOP-F32

// Per GPU module: a module without fragments keeps the plain environment.
gpu.module @plain {
  gpu.func @kernel(%x: memref<?xf32>) kernel {
    gpu.return
  }
}

// A module that multiplies fragments, on a profile that has them: SPIR-V
// 1.6, cooperative matrices, the Vulkan memory model and subgroup shuffles
// (the attention tiles combine a row across a subgroup), subgroups of 32
// and the one fragment shape in the limits.
// CHECK: gpu.module @plain attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.3, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic, Float16, StorageBuffer16BitAccess]
// CHECK: gpu.module @fragments attributes {spirv.target_env = #spirv.target_env<#spirv.vce<v1.6, [Shader, Int64, GroupNonUniform, GroupNonUniformArithmetic, Float16, StorageBuffer16BitAccess, CooperativeMatrixKHR, VulkanMemoryModel, GroupNonUniformShuffle], [SPV_KHR_storage_buffer_storage_class, SPV_KHR_16bit_storage, SPV_KHR_cooperative_matrix, SPV_KHR_vulkan_memory_model]>, #spirv.resource_limits<max_compute_workgroup_invocations = 1024, cooperative_matrix_properties_khr = [#spirv.coop_matrix_props_khr<m_size = 16, n_size = 16, k_size = 16, a_type = f16, b_type = f16, c_type = f32, result_type = f32, acc_sat = false, scope = <Subgroup>>]>>}
// NOCOOP: error: cooperative matrices need f16 storage and a device profile that has them, not 'generic'
// NOCOOP-F32: error: cooperative matrices need f16 storage and a device profile that has them, not 'nvidia-h100'
gpu.module @fragments {
  gpu.func @multiply(%a: !gpu.mma_matrix<16x16xf16, "AOp">, %b: !gpu.mma_matrix<16x16xf16, "BOp">, %c: !gpu.mma_matrix<16x16xf32, "COp">) kernel {
    %d = gpu.subgroup_mma_compute %a, %b, %c : !gpu.mma_matrix<16x16xf16, "AOp">, !gpu.mma_matrix<16x16xf16, "BOp"> -> !gpu.mma_matrix<16x16xf32, "COp">
    gpu.return
  }
}
