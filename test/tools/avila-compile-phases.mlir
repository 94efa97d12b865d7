// --compile-to prints the IR of the phases the artifact builder runs: the
// U-Net's attention (f32, unmasked) stays one op through linalg and becomes
// the CPU ukernel call when bufferized; the text encoder's causal attention
// is lowered to linalg.

// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=linalg --quiet | FileCheck %s --check-prefix=LINALG
// LINALG-LABEL: func.func @text_encoder_dispatch_5_attention(
// LINALG-NOT: avila.attention
// LINALG: linalg.generic
// LINALG-LABEL: func.func @unet_dispatch_19_attention(
// LINALG-NEXT: avila.attention %arg0, %arg1, %arg2 heads 8
// LINALG-NEXT: return

// Matmuls are recognized once, on tensors, as avila.contraction, which
// bufferizes in place to the same op on buffers.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=contractions --quiet | FileCheck %s --check-prefix=CONTRACTIONS
// CONTRACTIONS-LABEL: func.func @unet_dispatch_1_linear(
// CONTRACTIONS: %[[INIT:.*]] = linalg.fill
// CONTRACTIONS: avila.contraction "matmul" ins(%arg0, %arg1 : tensor<?x32xf32>, tensor<128x32xf32>) outs(%[[INIT]] : tensor<?x128xf32>)
// CONTRACTIONS-SAME: k_dim = 2 : i64, m_dim = 0 : i64, n_dim = 1 : i64
// CONTRACTIONS-NOT: linalg.generic {{.*}}"reduction"
// CONTRACTIONS: return

// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=bufferized --quiet | FileCheck %s --check-prefix=BUFFERS
// BUFFERS-LABEL: func.func @unet_dispatch_1_linear(
// BUFFERS: avila.contraction "matmul" ins(%arg0, %arg1 : memref<?x32xf32>, memref<128x32xf32>) outs(%arg3 : memref<?x128xf32>)
// BUFFERS-LABEL: func.func @unet_dispatch_19_attention(
// BUFFERS-SAME: memref
// BUFFERS: call @avila_ukernel_attention(

// Up to dispatch, the whole module: entry functions and their kernels.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=dispatch --quiet | FileCheck %s --check-prefix=DISPATCH
// DISPATCH: func.func @text_encoder(
// DISPATCH: call @text_encoder_dispatch_0_gather(

// RUN: not avila-compile sd15 --compile-to=loops 2>&1 | FileCheck %s --check-prefix=PHASE
// PHASE: avila-compile: error: unknown phase 'loops'
// PHASE: graph
// PHASE: llvm

// --target names a registered backend; an unknown one is refused with the list.
// RUN: not avila-compile sd15 --target vulkan 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: avila-compile: error: unknown target 'vulkan' (the targets: {{.*}}x86{{.*}})
// RUN: not avila-compile sd15 --target 2>&1 | FileCheck %s --check-prefix=TARGET-VALUE
// TARGET-VALUE: avila-compile: error: missing value for --target
