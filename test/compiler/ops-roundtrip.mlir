// Every avila op parses, verifies and prints back to the same text, in both
// the custom and the generic form.
// RUN: avila-opt %s | avila-opt | FileCheck %s
// RUN: avila-opt %s --mlir-print-op-generic | avila-opt | FileCheck %s

// CHECK-LABEL: func.func @values
func.func @values(%x: tensor<?x4xf32>) -> (tensor<32x4x3x3xf16>, tensor<2x2xf32>, tensor<3xi32>, index) {
  // CHECK: avila.weight "conv_in.weight" : tensor<32x4x3x3xf16>
  %w = avila.weight "conv_in.weight" : tensor<32x4x3x3xf16>
  // CHECK: avila.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
  %c = avila.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  // CHECK: avila.constant dense<[0, 1, 2]> : tensor<3xi32>
  %i = avila.constant dense<[0, 1, 2]> : tensor<3xi32>
  // CHECK: avila.dim %{{.*}}[0] : tensor<?x4xf32>
  %d = avila.dim %x[0] : tensor<?x4xf32>
  return %w, %c, %i, %d : tensor<32x4x3x3xf16>, tensor<2x2xf32>, tensor<3xi32>, index
}

// CHECK-LABEL: func.func @contractions
func.func @contractions(%x: tensor<?x4x?x?xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>,
                        %t: tensor<?x?x16xf32>, %lw: tensor<32x16xf32>, %lb: tensor<32xf32>,
                        %m1: tensor<2x3x5x7xf32>, %m2: tensor<2x3x7x4xf32>,
                        %q: tensor<?x?x16xf32>, %kv: tensor<?x77x16xf32>, %mask: tensor<?x?x77xf32>) {
  // CHECK: avila.conv2d %{{.*}}, %{{.*}}, %{{.*}} stride [1, 1] padding [1, 1, 1, 1] groups 2 : (tensor<?x4x?x?xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  %0 = avila.conv2d %x, %w, %b stride [1, 1] padding [1, 1, 1, 1] groups 2 : (tensor<?x4x?x?xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: avila.conv2d %{{.*}}, %{{.*}} stride [2, 2] padding [0, 1, 0, 1] : (tensor<?x4x?x?xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x?x?xf32>
  %w4 = avila.weight "down.conv.weight" : tensor<8x4x3x3xf32>
  %1 = avila.conv2d %x, %w4 stride [2, 2] padding [0, 1, 0, 1] : (tensor<?x4x?x?xf32>, tensor<8x4x3x3xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: avila.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %2 = avila.linear %t, %lw, %lb : (tensor<?x?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  // CHECK: avila.linear %{{.*}}, %{{.*}} : (tensor<?x?x16xf32>, tensor<32x16xf32>) -> tensor<?x?x32xf32>
  %3 = avila.linear %t, %lw : (tensor<?x?x16xf32>, tensor<32x16xf32>) -> tensor<?x?x32xf32>
  // CHECK: avila.matmul %{{.*}}, %{{.*}} : (tensor<2x3x5x7xf32>, tensor<2x3x7x4xf32>) -> tensor<2x3x5x4xf32>
  %4 = avila.matmul %m1, %m2 : (tensor<2x3x5x7xf32>, tensor<2x3x7x4xf32>) -> tensor<2x3x5x4xf32>
  // CHECK: avila.attention %{{.*}}, %{{.*}}, %{{.*}} heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) -> tensor<?x?x16xf32>
  %5 = avila.attention %q, %kv, %kv heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) -> tensor<?x?x16xf32>
  // CHECK: avila.attention %{{.*}}, %{{.*}}, %{{.*}} heads 2 causal scale 1.250000e-01 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %6 = avila.attention %q, %q, %q heads 2 causal scale 0.125 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  // CHECK: avila.attention %{{.*}}, %{{.*}}, %{{.*}} mask %{{.*}} heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>, tensor<?x?x77xf32>) -> tensor<?x?x16xf32>
  %7 = avila.attention %q, %kv, %kv mask %mask heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>, tensor<?x?x77xf32>) -> tensor<?x?x16xf32>
  return
}

// CHECK-LABEL: func.func @normalizations
func.func @normalizations(%x: tensor<?x64x?x?xbf16>, %g: tensor<64xbf16>, %b: tensor<64xbf16>, %t: tensor<?x77x64xbf16>) {
  // CHECK: avila.group_norm %{{.*}}, %{{.*}}, %{{.*}} groups 32 eps 9.9999999999999995E-7 : (tensor<?x64x?x?xbf16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<?x64x?x?xbf16>
  %0 = avila.group_norm %x, %g, %b groups 32 eps 1.0e-6 : (tensor<?x64x?x?xbf16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<?x64x?x?xbf16>
  // CHECK: avila.layer_norm %{{.*}}, %{{.*}}, %{{.*}} eps 1.000000e-05 : (tensor<?x77x64xbf16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<?x77x64xbf16>
  %1 = avila.layer_norm %t, %g, %b eps 1.0e-5 : (tensor<?x77x64xbf16>, tensor<64xbf16>, tensor<64xbf16>) -> tensor<?x77x64xbf16>
  // CHECK: avila.softmax %{{.*}} axis 2 : (tensor<?x77x64xbf16>) -> tensor<?x77x64xbf16>
  %2 = avila.softmax %t axis 2 : (tensor<?x77x64xbf16>) -> tensor<?x77x64xbf16>
  return
}

// CHECK-LABEL: func.func @activations
func.func @activations(%x: tensor<2x?x8xf16>) {
  // CHECK: avila.gelu %{{.*}} : tensor<2x?x8xf16>
  %0 = avila.gelu %x : tensor<2x?x8xf16>
  // CHECK: avila.gelu %{{.*}} tanh : tensor<2x?x8xf16>
  %1 = avila.gelu %x tanh : tensor<2x?x8xf16>
  // CHECK: avila.quick_gelu %{{.*}} : tensor<2x?x8xf16>
  %2 = avila.quick_gelu %x : tensor<2x?x8xf16>
  // CHECK: avila.silu %{{.*}} : tensor<2x?x8xf16>
  %3 = avila.silu %x : tensor<2x?x8xf16>
  // CHECK: avila.sigmoid %{{.*}} : tensor<2x?x8xf16>
  %4 = avila.sigmoid %x : tensor<2x?x8xf16>
  // CHECK: avila.tanh %{{.*}} : tensor<2x?x8xf16>
  %5 = avila.tanh %x : tensor<2x?x8xf16>
  // CHECK: avila.exp %{{.*}} : tensor<2x?x8xf16>
  %6 = avila.exp %x : tensor<2x?x8xf16>
  // CHECK: avila.sqrt %{{.*}} : tensor<2x?x8xf16>
  %7 = avila.sqrt %x : tensor<2x?x8xf16>
  // CHECK: avila.rsqrt %{{.*}} : tensor<2x?x8xf16>
  %8 = avila.rsqrt %x : tensor<2x?x8xf16>
  // CHECK: avila.geglu %{{.*}} : (tensor<2x?x8xf16>) -> tensor<2x?x4xf16>
  %9 = avila.geglu %x : (tensor<2x?x8xf16>) -> tensor<2x?x4xf16>
  return
}

// CHECK-LABEL: func.func @arithmetic
func.func @arithmetic(%x: tensor<?x320x?x?xf32>, %e: tensor<?x320x1x1xf32>, %v: tensor<?xf32>) {
  // CHECK: avila.add %{{.*}}, %{{.*}} : (tensor<?x320x?x?xf32>, tensor<?x320x1x1xf32>) -> tensor<?x320x?x?xf32>
  %0 = avila.add %x, %e : (tensor<?x320x?x?xf32>, tensor<?x320x1x1xf32>) -> tensor<?x320x?x?xf32>
  // CHECK: avila.sub %{{.*}}, %{{.*}} : (tensor<?x320x?x?xf32>, tensor<?xf32>) -> tensor<?x320x?x?xf32>
  %1 = avila.sub %x, %v : (tensor<?x320x?x?xf32>, tensor<?xf32>) -> tensor<?x320x?x?xf32>
  // CHECK: avila.mul %{{.*}}, %{{.*}} : (tensor<?x320x1x1xf32>, tensor<?x320x?x?xf32>) -> tensor<?x320x?x?xf32>
  %2 = avila.mul %e, %x : (tensor<?x320x1x1xf32>, tensor<?x320x?x?xf32>) -> tensor<?x320x?x?xf32>
  // CHECK: avila.div %{{.*}}, %{{.*}} : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  %3 = avila.div %v, %v : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  // CHECK: avila.add_scalar %{{.*}}, 1.000000e+00 : tensor<?xf32>
  %4 = avila.add_scalar %v, 1.0 : tensor<?xf32>
  // CHECK: avila.mul_scalar %{{.*}}, 1.821500e-01 : tensor<?xf32>
  %5 = avila.mul_scalar %v, 0.18215 : tensor<?xf32>
  // CHECK: avila.clamp %{{.*}} min -3.000000e+01 max 2.000000e+01 : tensor<?xf32>
  %6 = avila.clamp %v min -30.0 max 20.0 : tensor<?xf32>
  // CHECK: avila.cast %{{.*}} : tensor<?xf32> -> tensor<?xf16>
  %7 = avila.cast %v : tensor<?xf32> -> tensor<?xf16>
  return
}

// CHECK-LABEL: func.func @movement
func.func @movement(%x: tensor<?x64x?x?xf32>, %y: tensor<?x32x?x?xf32>, %ids: tensor<?x77xi32>,
                    %table: tensor<49408x32xf32>, %t: tensor<?xf32>, %h: index, %w: index) {
  // CHECK: avila.concat %{{.*}}, %{{.*}} axis 1 : (tensor<?x64x?x?xf32>, tensor<?x32x?x?xf32>) -> tensor<?x96x?x?xf32>
  %0 = avila.concat %x, %y axis 1 : (tensor<?x64x?x?xf32>, tensor<?x32x?x?xf32>) -> tensor<?x96x?x?xf32>
  // CHECK: avila.slice %{{.*}} axis 1 start 4 end 36 : (tensor<?x64x?x?xf32>) -> tensor<?x32x?x?xf32>
  %1 = avila.slice %x axis 1 start 4 end 36 : (tensor<?x64x?x?xf32>) -> tensor<?x32x?x?xf32>
  // CHECK: avila.split %{{.*}} axis 1 : tensor<?x64x?x?xf32> -> tensor<?x32x?x?xf32>, tensor<?x32x?x?xf32>
  %2:2 = avila.split %x axis 1 : tensor<?x64x?x?xf32> -> tensor<?x32x?x?xf32>, tensor<?x32x?x?xf32>
  // CHECK: avila.transpose %{{.*}} perm [0, 2, 3, 1] : (tensor<?x64x?x?xf32>) -> tensor<?x?x?x64xf32>
  %3 = avila.transpose %x perm [0, 2, 3, 1] : (tensor<?x64x?x?xf32>) -> tensor<?x?x?x64xf32>
  %n = avila.dim %x[0] : tensor<?x64x?x?xf32>
  %hw = arith.muli %h, %w : index
  // CHECK: avila.reshape %{{.*}} dims(%{{.*}}, %{{.*}}) : tensor<?x?x?x64xf32> -> tensor<?x?x64xf32>
  %4 = avila.reshape %3 dims(%n, %hw) : tensor<?x?x?x64xf32> -> tensor<?x?x64xf32>
  // CHECK: avila.reshape %{{.*}} : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %c = avila.constant dense<0.0> : tensor<2x3x4xf32>
  %5 = avila.reshape %c : tensor<2x3x4xf32> -> tensor<6x4xf32>
  // CHECK: avila.upsample_nearest %{{.*}} : tensor<?x64x?x?xf32> -> tensor<?x64x?x?xf32>
  %6 = avila.upsample_nearest %x : tensor<?x64x?x?xf32> -> tensor<?x64x?x?xf32>
  // CHECK: avila.upsample_nearest %{{.*}} size(%{{.*}}, %{{.*}}) : tensor<?x64x?x?xf32> -> tensor<?x64x?x?xf32>
  %7 = avila.upsample_nearest %x size(%h, %w) : tensor<?x64x?x?xf32> -> tensor<?x64x?x?xf32>
  // CHECK: avila.avg_pool2d %{{.*}} kernel [2, 2] stride [2, 2] : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
  %8 = avila.avg_pool2d %x kernel [2, 2] stride [2, 2] : (tensor<?x64x?x?xf32>) -> tensor<?x64x?x?xf32>
  // CHECK: avila.gather %{{.*}}, %{{.*}} : (tensor<49408x32xf32>, tensor<?x77xi32>) -> tensor<?x77x32xf32>
  %9 = avila.gather %table, %ids : (tensor<49408x32xf32>, tensor<?x77xi32>) -> tensor<?x77x32xf32>
  // CHECK: avila.timestep_embedding %{{.*}} dim 320 flip_sin_to_cos shift 0.000000e+00 : (tensor<?xf32>) -> tensor<?x320xf32>
  %10 = avila.timestep_embedding %t dim 320 flip_sin_to_cos shift 0.0 : (tensor<?xf32>) -> tensor<?x320xf32>
  // CHECK: avila.timestep_embedding %{{.*}} dim 7 max_period 1.000000e+02 scale 2.000000e+00 : (tensor<?xf32>) -> tensor<?x7xf32>
  %11 = avila.timestep_embedding %t dim 7 max_period 100.0 scale 2.0 : (tensor<?xf32>) -> tensor<?x7xf32>
  return
}

// Static sizes are inferred where the operands make them known.
// CHECK-LABEL: func.func @static_shapes
func.func @static_shapes(%x: tensor<1x4x7x9xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x4x5xf32> {
  // CHECK: -> tensor<1x6x4x5xf32>
  %0 = avila.conv2d %x, %w stride [2, 2] padding [1, 1, 1, 1] : (tensor<1x4x7x9xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x4x5xf32>
  return %0 : tensor<1x6x4x5xf32>
}

// The kernel op the shared phases hand a target, on tensors and on buffers.
// CHECK-LABEL: func.func @fused_attention
func.func @fused_attention(%q: tensor<?x?x16xf32>, %kv: tensor<?x77x16xf32>, %init: tensor<?x?x16xf32>,
                           %bq: memref<2x9x16xf16>, %bkv: memref<2x77x16xf16>, %bv: memref<2x77x8xf16>, %bo: memref<2x9x8xf16>) -> tensor<?x?x16xf32> {
  // CHECK: avila.fused_attention heads 4 scale 5.000000e-01 ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) outs(%{{.*}} : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %0 = avila.fused_attention heads 4 scale 0.5 ins(%q, %kv, %kv : tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) outs(%init : tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  // CHECK: avila.fused_attention heads 2 scale 1.250000e-01 ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<2x9x16xf16>, memref<2x77x16xf16>, memref<2x77x8xf16>) outs(%{{.*}} : memref<2x9x8xf16>){{$}}
  avila.fused_attention heads 2 scale 0.125 ins(%bq, %bkv, %bv : memref<2x9x16xf16>, memref<2x77x16xf16>, memref<2x77x8xf16>) outs(%bo : memref<2x9x8xf16>)
  return %0 : tensor<?x?x16xf32>
}

// A norm a target runs whole, on tensors (with SiLU) and on buffers.
// CHECK-LABEL: func.func @fused_group_norm
func.func @fused_group_norm(%x: tensor<?x8x?x?xf32>, %g: tensor<8xf32>, %init: tensor<?x8x?x?xf32>,
                            %bx: memref<?x?x320xf16>, %bg: memref<320xf16>, %bo: memref<?x?x320xf16>) -> tensor<?x8x?x?xf32> {
  // CHECK: avila.fused_group_norm axis 1 groups 4 eps 1.000000e-05 silu ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<?x8x?x?xf32>, tensor<8xf32>, tensor<8xf32>) outs(%{{.*}} : tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  %0 = avila.fused_group_norm axis 1 groups 4 eps 1.0e-5 silu ins(%x, %g, %g : tensor<?x8x?x?xf32>, tensor<8xf32>, tensor<8xf32>) outs(%init : tensor<?x8x?x?xf32>) -> tensor<?x8x?x?xf32>
  // CHECK: avila.fused_group_norm axis 2 groups 1 eps 0.000000e+00 ins(%{{.*}}, %{{.*}}, %{{.*}} : memref<?x?x320xf16>, memref<320xf16>, memref<320xf16>) outs(%{{.*}} : memref<?x?x320xf16>){{$}}
  avila.fused_group_norm axis 2 groups 1 eps 0.0 ins(%bx, %bg, %bg : memref<?x?x320xf16>, memref<320xf16>, memref<320xf16>) outs(%bo : memref<?x?x320xf16>)
  return %0 : tensor<?x8x?x?xf32>
}
