// RUN: avila-opt %s --avila-form-dispatches | FileCheck %s

// A ResNet block: norm + silu fuse, conv + time-embedding add fuse, the
// second conv takes the residual add; weights and sizes stay outside.
// CHECK-LABEL: func.func @block_dispatch_0_group_norm
// CHECK-SAME: attributes {avila.dispatch}
// CHECK-NEXT: avila.group_norm
// CHECK-NEXT: avila.silu
// CHECK-NEXT: return

// CHECK-LABEL: func.func @block_dispatch_1_conv2d
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x?x?xf32>, %[[W:.*]]: tensor<8x8x3x3xf32>, %[[B:.*]]: tensor<8xf32>, %[[T:.*]]: tensor<?x8x1x1xf32>)
// CHECK-NEXT: %[[C:.*]] = avila.conv2d %[[X]], %[[W]], %[[B]]
// CHECK-NEXT: %[[S:.*]] = avila.add %[[C]], %[[T]]
// CHECK-NEXT: return %[[S]]

// The constant scale is cloned into the dispatch that uses it; the sizes
// arrive as arguments after the tensors.
// CHECK-LABEL: func.func @block_dispatch_2_reshape
// CHECK-SAME: (%{{.*}}: tensor<?x8x?x?xf32>, %{{.*}}: tensor<?x8x?x?xf32>, %{{.*}}: index, %{{.*}}: index, %{{.*}}: index)
// CHECK: avila.constant dense<5.000000e-01>
// CHECK: avila.reshape
// CHECK: avila.mul
// CHECK: avila.add

// CHECK-LABEL: func.func @block(
// CHECK: avila.weight "norm.weight"
// CHECK: call @block_dispatch_0_group_norm
// CHECK: call @block_dispatch_1_conv2d
// CHECK: %[[N:.*]] = avila.dim %{{.*}}[0]
// CHECK: call @block_dispatch_2_reshape(%{{.*}}, %{{.*}}, %[[N]], %{{.*}}, %{{.*}})
// CHECK-NOT: avila.conv2d
// CHECK: return
func.func @block(%x: tensor<?x8x?x?xf32>, %t: tensor<?x8x1x1xf32>) -> tensor<?x8x?x?xf32> {
  %g = avila.weight "norm.weight" : tensor<8xf32>
  %b = avila.weight "norm.bias" : tensor<8xf32>
  %w = avila.weight "conv.weight" : tensor<8x8x3x3xf32>
  %cb = avila.weight "conv.bias" : tensor<8xf32>
  %half = avila.constant dense<0.5> : tensor<8x1x1xf32>
  %n = avila.group_norm %x, %g, %b groups 4 eps 1.0e-5 : (tensor<?x8x?x?xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %a = avila.silu %n : tensor<?x8x?x?xf32>
  %c = avila.conv2d %a, %w, %cb stride [1, 1] padding [1, 1, 1, 1] : (tensor<?x8x?x?xf32>, tensor<8x8x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %s = avila.add %c, %t : (tensor<?x8x?x?xf32>, tensor<?x8x1x1xf32>) -> tensor<?x8x?x?xf32>
  %batch = avila.dim %x[0] : tensor<?x8x?x?xf32>
  %h = avila.dim %x[2] : tensor<?x8x?x?xf32>
  %w2 = avila.dim %x[3] : tensor<?x8x?x?xf32>
  %r = avila.reshape %s dims(%batch, %h, %w2) : tensor<?x8x?x?xf32> -> tensor<?x8x?x?xf32>
  %m = avila.mul %r, %half : (tensor<?x8x?x?xf32>, tensor<8x1x1xf32>) -> tensor<?x8x?x?xf32>
  %out = avila.add %m, %x : (tensor<?x8x?x?xf32>, tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  return %out : tensor<?x8x?x?xf32>
}
