// --device-profile: a known name, or a JSON file that starts from a known
// profile ("base") and changes its fields; every bad file is refused with
// a message naming the problem.

// RUN: not avila-compile sd15 --target vulkan --device-profile nvidia 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: avila-compile: error: unknown device profile 'nvidia' (the profiles: generic, generic-fp16, lavapipe, nvidia-h100, auto for this machine's Vulkan device, or a .json file)
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: avila-compile: error: cannot read device profile '{{.*}}.missing.json': {{.*}}

// RUN: echo '{"base": "nvidia-h100",' > %t.broken.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.broken.json 2>&1 | FileCheck %s --check-prefix=BROKEN
// BROKEN: avila-compile: error: device profile '{{.*}}.broken.json' is not JSON: {{.*}}
// RUN: echo '[1]' > %t.array.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.array.json 2>&1 | FileCheck %s --check-prefix=ARRAY
// ARRAY: avila-compile: error: device profile '{{.*}}.array.json' must be a JSON object
// RUN: echo '{"base": "h100"}' > %t.base.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.base.json 2>&1 | FileCheck %s --check-prefix=BASE
// BASE: error: device profile '{{.*}}.base.json': 'base' must name one of generic, generic-fp16, lavapipe, nvidia-h100
// RUN: echo '{"subgroup_sizes": 32}' > %t.key.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.key.json 2>&1 | FileCheck %s --check-prefix=KEY
// KEY: error: device profile '{{.*}}.key.json': unknown key 'subgroup_sizes' (the keys: subgroup_size, max_workgroup_memory, max_workgroup_invocations, max_storage_buffer_range, float16, cooperative_matrix, loop_workgroup_size, contraction_tile, base)
// RUN: echo '{"max_workgroup_memory": -1}' > %t.range.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.range.json 2>&1 | FileCheck %s --check-prefix=RANGE
// RANGE: error: device profile '{{.*}}.range.json': 'max_workgroup_memory' must be an integer from 1024 to 1048576
// RUN: echo '{"float16": 1}' > %t.bool.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.bool.json 2>&1 | FileCheck %s --check-prefix=BOOL
// BOOL: error: device profile '{{.*}}.bool.json': 'float16' must be true or false
// RUN: echo '{"contraction_tile": {"row": 128}}' > %t.tilekey.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.tilekey.json 2>&1 | FileCheck %s --check-prefix=TILE-KEY
// TILE-KEY: error: device profile '{{.*}}.tilekey.json': contraction_tile: unknown key 'row' (the keys: rows, cols, depth, thread_rows, thread_cols, subgroup_fragments, depth_split)

// auto reads the local Vulkan device and says what it found, in one line:
// on lavapipe, lavapipe's limits and generic's FMA tile (whose 64 × 16
// slabs the loops then stage).
// RUN: %lavapipe avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --device-profile auto --compile-to=loops 2>%t.auto.err | FileCheck %s --check-prefix=AUTO-TILE
// RUN: FileCheck %s --check-prefix=AUTO < %t.auto.err
// AUTO: device profile auto: vulkan:{{[0-9]+}} (llvmpipe {{.*}}): subgroup 8, workgroup memory 32768 bytes, 1024 invocations, storage buffer range 134217728 bytes, fp16 yes, cooperative matrices no, contraction tile 64 x 64 x 16, loop workgroups of 64
// AUTO-NOT: device profile
// AUTO-TILE: memref.alloc() : memref<16x64xf32, #spirv.storage_class<Workgroup>>
// Without a Vulkan driver, auto is an error that says so.
// RUN: env VK_ICD_FILENAMES=%t.no-driver.json not avila-compile sd15 --target vulkan --device-profile auto 2>&1 | FileCheck %s --check-prefix=NO-DEVICE
// NO-DEVICE: avila-compile: error: --device-profile auto reads this machine's Vulkan device, and there is none (name a profile instead): {{.*}}Vulkan

// Loop workgroups larger than the invocation limit are refused; the
// profile's size is the one-invocation-per-element kernels' workgroup
// (nvidia-h100: 256).
// RUN: echo '{"max_workgroup_invocations": 128, "loop_workgroup_size": 256}' > %t.loop.json
// RUN: not avila-compile sd15 --target vulkan --device-profile %t.loop.json 2>&1 | FileCheck %s --check-prefix=LOOP-LIMIT
// LOOP-LIMIT: error: device profile '{{.*}}.loop.json': 'loop_workgroup_size' 256 is more than 'max_workgroup_invocations' 128
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --precision fp16 --device-profile nvidia-h100 --compile-to=gpu --quiet | FileCheck %s --check-prefix=LOOP
// RUN: echo '{"base": "nvidia-h100", "loop_workgroup_size": 128}' > %t.loop128.json
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --precision fp16 --device-profile %t.loop128.json --compile-to=gpu --quiet | FileCheck %s --check-prefix=LOOP128
// LOOP: gpu.func @text_encoder_dispatch_0_{{.*}} kernel attributes {known_block_size = array<i32: 256, 1, 1>
// LOOP128: gpu.func @text_encoder_dispatch_0_{{.*}} kernel attributes {known_block_size = array<i32: 128, 1, 1>

// A profile without 16-bit storage refuses fp16, as a named one does.
// RUN: echo '{"base": "nvidia-h100", "float16": false}' > %t.nofp16.json
// RUN: not avila-compile sd15 --target vulkan --precision fp16 --device-profile %t.nofp16.json 2>&1 | FileCheck %s --check-prefix=NO-FP16
// NO-FP16: avila-compile: error: --precision fp16 needs a device profile with 16-bit storage; '{{.*}}.nofp16.json' has none

// The file's tile is the one every contraction gets: 128 × 128 outputs,
// 2 × 2 subgroups of 4 × 4 fragments, 128 invocations; a linear layer's
// slabs are 128 lines × 32 deep (padded by 8) in 16-byte words, each
// subgroup's products 16 rows of 64 (padded by 4).
// RUN: echo '{"base": "nvidia-h100", "contraction_tile": {"rows": 128, "cols": 128, "subgroup_fragments": 4}}' > %t.tile.json
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --precision fp16 --device-profile %t.tile.json --compile-to=loops --quiet | FileCheck %s --check-prefix=TILE
// TILE: gpu.launch blocks({{.*}}) threads({{.*}}) in ({{.*}} = %c128,
// TILE: memref.alloc() : memref<128x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// TILE-NEXT: memref.alloc() : memref<128x5xvector<4xi32>, #spirv.storage_class<Workgroup>>
// TILE-COUNT-16: gpu.subgroup_mma_compute
// TILE: memref.alloc() : memref<64x68xf32, #spirv.storage_class<Workgroup>>
