// avila-opt lists our passes next to the upstream ones.
// RUN: avila-opt --help | FileCheck %s
// CHECK: --avila-decompose-composites
// CHECK-SAME: Rewrite attention, geglu, silu and quick_gelu as primitive avila ops
// CHECK: --canonicalize
