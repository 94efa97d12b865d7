// A profile the pass does not know is refused.
// RUN: not avila-opt %s --avila-set-target-environment=profile=nvidia 2>&1 | FileCheck %s

// CHECK: error: no SPIR-V device profile named 'nvidia'
// CHECK-NOT: spirv.target_env
func.func @kernel(%x: memref<?xf32>) attributes {avila.dispatch} {
  return
}
