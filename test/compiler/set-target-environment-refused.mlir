// A profile the pass does not know is refused.
// RUN: not avila-opt %s --avila-set-target-environment=profile=nvidia 2>&1 | FileCheck %s

// CHECK: error: unknown device profile 'nvidia' (the profiles: generic, generic-fp16, lavapipe, nvidia-h100, auto for this machine's Vulkan device, or a .json file)
// CHECK-NOT: spirv.target_env
func.func @kernel(%x: memref<?xf32>) attributes {avila.dispatch} {
  return
}
