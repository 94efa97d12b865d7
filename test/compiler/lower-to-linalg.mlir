// RUN: avila-opt %s --avila-lower-to-linalg --split-input-file --mlir-print-local-scope | FileCheck %s

// A ResNet-style conv: zero padding, then one generic with the window as
// reduction loops, then the bias added elementwise.
// CHECK-LABEL: func.func @conv
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic
// CHECK-SAME: affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 + d5, d3 + d6)>
// CHECK-SAME: affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK-SAME: ins(%[[PAD]], %{{.*}} : tensor<?x4x?x?xf32>, tensor<8x4x3x3xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<?x8x?x?xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK-NOT: avila.
func.func @conv(%x: tensor<?x4x?x?xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x?x?xf32> {
  %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [1, 1, 1, 1] : (tensor<?x4x?x?xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  return %0 : tensor<?x8x?x?xf32>
}

// -----

// f16 storage, f32 arithmetic: elements are widened, computed, narrowed.
// CHECK-LABEL: func.func @silu_f16
// CHECK: linalg.generic
// CHECK: ^bb0(%[[IN:.*]]: f16, %{{.*}}: f16):
// CHECK: %[[WIDE:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK: math.exp
// CHECK: %[[NARROW:.*]] = arith.truncf %{{.*}} : f32 to f16
// CHECK: linalg.yield %[[NARROW]] : f16
func.func @silu_f16(%x: tensor<?x8xf16>) -> tensor<?x8xf16> {
  %0 = avila.silu %x : tensor<?x8xf16>
  return %0 : tensor<?x8xf16>
}

// -----

// Group statistics over [N, G, (C/G)·H·W]; the apply step indexes them with
// the channel's group. Each statistic is a blocked sum: the values after
// the last whole block of 256, then the blocks as [N, G, blocks, 256]
// summed into partials, which are summed the same way once more before
// the rest are added up.
// CHECK-LABEL: func.func @group_norm
// CHECK: tensor.reshape %{{.*}} : (tensor<?x32x?x?xf32>, tensor<3xindex>) -> tensor<?x8x?xf32>
// CHECK-COUNT-2: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [%{{.*}}, 8, %{{.*}}, 256] : tensor<?x8x?xf32> into tensor<?x8x?x256xf32>
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: iterator_types = ["parallel", "parallel"]
// CHECK: %[[TAIL:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: ^bb0(%[[X:.*]]: f32, %[[MEAN:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.subf %[[X]], %[[MEAN]]
// CHECK: %[[BLOCKED:.*]] = tensor.expand_shape
// CHECK: %[[PARTIALS:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[BLOCKED]], %{{.*}} : tensor<?x8x?x256xf32>, tensor<?x8xf32>)
// CHECK: arith.subf
// CHECK: tensor.extract_slice %[[PARTIALS]]
// CHECK: tensor.expand_shape
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-NOT: arith.subf
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: affine_map<(d0, d1, d2, d3) -> (d0, d1 floordiv 4)>
// CHECK: math.rsqrt
func.func @group_norm(%x: tensor<?x32x?x?xf32>, %g: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<?x32x?x?xf32> {
  %0 = avila.group_norm %x, %g, %b groups 8 eps 1.0e-5 : (tensor<?x32x?x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  return %0 : tensor<?x32x?x?xf32>
}

// -----

// Rows of a static length that fits in one block are summed in one run.
// CHECK-LABEL: func.func @layer_norm_short
// CHECK-NOT: tensor.expand_shape
// CHECK: math.rsqrt
func.func @layer_norm_short(%x: tensor<?x?x256xf32>, %g: tensor<256xf32>, %b: tensor<256xf32>) -> tensor<?x?x256xf32> {
  %0 = avila.layer_norm %x, %g, %b eps 1.0e-5 : (tensor<?x?x256xf32>, tensor<256xf32>, tensor<256xf32>) -> tensor<?x?x256xf32>
  return %0 : tensor<?x?x256xf32>
}

// -----

// Heads become a dimension; the causal mask compares loop indices.
// CHECK-LABEL: func.func @causal
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [%{{.*}}, %{{.*}}, 2, 4] : tensor<?x?x8xf32> into tensor<?x?x2x4xf32>
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.cmpi ugt
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<?x?x2x4xf32> into tensor<?x?x8xf32>
func.func @causal(%x: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %0 = avila.attention %x, %x, %x heads 2 causal : (tensor<?x?x8xf32>, tensor<?x?x8xf32>, tensor<?x?x8xf32>) -> tensor<?x?x8xf32>
  return %0 : tensor<?x?x8xf32>
}

// -----

// A statically-1 dimension broadcasts (constant 0 in its map); sizes come
// from the operand that has them.
// CHECK-LABEL: func.func @broadcast
// CHECK: linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, 0, 0)>
func.func @broadcast(%x: tensor<?x4x?x?xf32>, %t: tensor<?x4x1x1xf32>) -> tensor<?x4x?x?xf32> {
  %0 = avila.add %x, %t : (tensor<?x4x?x?xf32>, tensor<?x4x1x1xf32>) -> tensor<?x4x?x?xf32>
  return %0 : tensor<?x4x?x?xf32>
}

// -----

// Weights stay: binding them is the schedule's business.
// CHECK-LABEL: func.func @weights
// CHECK: avila.weight "proj.weight"
// CHECK: linalg.generic
func.func @weights(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = avila.weight "proj.weight" : tensor<2x4xf32>
  %0 = avila.linear %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
