// --compile-to prints the IR of the phases the artifact builder runs: the
// U-Net's attention (f32, unmasked) becomes avila.fused_attention in linalg,
// stays that op on buffers and becomes the CPU ukernel call in x86's
// ukernels phase; the text encoder's causal attention is lowered to linalg.

// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=linalg --quiet | FileCheck %s --check-prefix=LINALG
// LINALG-LABEL: func.func @text_encoder_dispatch_5_attention(
// LINALG-NOT: avila.attention
// LINALG: linalg.generic
// LINALG-NOT: avila.fused_attention
// LINALG-LABEL: func.func @unet_dispatch_19_attention(
// LINALG: %[[INIT:.*]] = tensor.empty(%{{.*}}, %{{.*}}) : tensor<?x?x32xf32>
// LINALG-NEXT: %[[OUT:.*]] = avila.fused_attention heads 8 scale 5.000000e-01 ins(%arg0, %arg1, %arg2 : tensor<?x?x32xf32>, tensor<?x?x32xf32>, tensor<?x?x32xf32>) outs(%[[INIT]] : tensor<?x?x32xf32>)
// LINALG-NEXT: return %[[OUT]]

// Vulkan keeps norms whole: the ResNet block's group norm and the SiLU after
// it are one avila.fused_group_norm; x86 keeps them as linalg.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --target vulkan --compile-to=linalg --quiet | FileCheck %s --check-prefix=VULKAN-LINALG
// VULKAN-LINALG-LABEL: func.func @unet_dispatch_4_group_norm(
// VULKAN-LINALG: avila.fused_group_norm axis 1 groups 32 eps 1.000000e-05 silu ins(%arg0, %arg1, %arg2 : tensor<?x32x?x?xf32>, tensor<32xf32>, tensor<32xf32>)
// VULKAN-LINALG-NOT: linalg.generic
// VULKAN-LINALG: return
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=linalg --quiet | FileCheck %s --check-prefix=X86-LINALG
// X86-LINALG-NOT: avila.fused_group_norm

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
// BUFFERS-SAME: %arg3: memref<?x?x32xf32>
// BUFFERS-NEXT: avila.fused_attention heads 8 scale 5.000000e-01 ins(%arg0, %arg1, %arg2 : memref<?x?x32xf32>, memref<?x?x32xf32>, memref<?x?x32xf32>) outs(%arg3 : memref<?x?x32xf32>)
// BUFFERS-NEXT: return

// x86 turns both kernel ops into ukernel calls in its own phase.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=ukernels --quiet | FileCheck %s --check-prefix=UKERNELS
// UKERNELS-LABEL: func.func @unet_dispatch_1_linear(
// UKERNELS: call @avila_ukernel_matmul(
// UKERNELS-LABEL: func.func @unet_dispatch_19_attention(
// UKERNELS-NOT: avila.fused_attention
// UKERNELS: call @avila_ukernel_attention(
// UKERNELS-NEXT: return

// Up to dispatch, the whole module: entry functions and their kernels.
// RUN: avila-compile %shared/golden/tiny-sd/diffusers-fp16 --compile-to=dispatch --quiet | FileCheck %s --check-prefix=DISPATCH
// DISPATCH: func.func @text_encoder(
// DISPATCH: call @text_encoder_dispatch_0_gather(

// RUN: not avila-compile sd15 --compile-to=loops 2>&1 | FileCheck %s --check-prefix=PHASE
// PHASE: avila-compile: error: unknown phase 'loops'
// PHASE: graph
// PHASE: llvm

// --target names a registered backend; an unknown one is refused with the list.
// RUN: not avila-compile sd15 --target metal 2>&1 | FileCheck %s --check-prefix=TARGET
// TARGET: avila-compile: error: unknown target 'metal' (the targets: {{.*}}x86{{.*}}vulkan{{.*}})
// RUN: not avila-compile sd15 --target 2>&1 | FileCheck %s --check-prefix=TARGET-VALUE
// TARGET-VALUE: avila-compile: error: missing value for --target
