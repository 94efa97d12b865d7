// A small U-Net-like block as SD 1.x has them, written by hand: a ResNet block
// with the time embedding added, then a spatial transformer (group_norm,
// proj_in, self-attention, cross-attention to the text, GEGLU feed-forward,
// proj_out, residual). Batch, height and width are dynamic.
//
// RUN: avila-opt %s | FileCheck %s --check-prefix=IR
// RUN: avila-opt %s --avila-decompose-composites | avila-opt | FileCheck %s --check-prefix=DECOMPOSED
// RUN: avila-eval %s --random-weights --input=2x32x8x6xf32 --input=2x77x16xf32 --input=2xf32=981,1 --print-limit=0 | FileCheck %s --check-prefix=EVAL
// RUN: avila-eval %s --random-weights --input=1x32x5x3xf32 --input=1x77x16xf32 --input=1xf32=500 --print-limit=0 | FileCheck %s --check-prefix=EVAL-ODD

// IR-LABEL: func.func @unet_block
// IR: avila.conv2d
// IR: avila.group_norm
// IR: avila.silu
// IR: avila.attention {{.*}} heads 4
// IR: avila.linear
// DECOMPOSED-NOT: avila.attention
// DECOMPOSED-NOT: avila.geglu
// DECOMPOSED-NOT: avila.silu
// EVAL: result 0: 2x32x8x6xf32
// EVAL-ODD: result 0: 1x32x5x3xf32

func.func @unet_block(%x: tensor<?x32x?x?xf32>, %context: tensor<?x77x16xf32>, %timesteps: tensor<?xf32>) -> tensor<?x32x?x?xf32> {
  // Time embedding: sinusoidal, then linear → silu → linear, projected per block.
  %t0 = avila.timestep_embedding %timesteps dim 32 flip_sin_to_cos shift 0.0 : (tensor<?xf32>) -> tensor<?x32xf32>
  %tw1 = avila.weight "time_embedding.linear_1.weight" : tensor<64x32xf32>
  %tb1 = avila.weight "time_embedding.linear_1.bias" : tensor<64xf32>
  %t1 = avila.linear %t0, %tw1, %tb1 : (tensor<?x32xf32>, tensor<64x32xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  %t2 = avila.silu %t1 : tensor<?x64xf32>
  %tw2 = avila.weight "time_embedding.linear_2.weight" : tensor<64x64xf32>
  %tb2 = avila.weight "time_embedding.linear_2.bias" : tensor<64xf32>
  %temb = avila.linear %t2, %tw2, %tb2 : (tensor<?x64xf32>, tensor<64x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>

  // ResNet block.
  %g1 = avila.weight "resnets.0.norm1.weight" : tensor<32xf32>
  %b1 = avila.weight "resnets.0.norm1.bias" : tensor<32xf32>
  %n1 = avila.group_norm %x, %g1, %b1 groups 8 eps 1.0e-5 : (tensor<?x32x?x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  %a1 = avila.silu %n1 : tensor<?x32x?x?xf32>
  %cw1 = avila.weight "resnets.0.conv1.weight" : tensor<32x32x3x3xf32>
  %cb1 = avila.weight "resnets.0.conv1.bias" : tensor<32xf32>
  %h1 = avila.conv2d %a1, %cw1, %cb1 stride [1, 1] padding [1, 1, 1, 1] : (tensor<?x32x?x?xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  %ta = avila.silu %temb : tensor<?x64xf32>
  %tpw = avila.weight "resnets.0.time_emb_proj.weight" : tensor<32x64xf32>
  %tpb = avila.weight "resnets.0.time_emb_proj.bias" : tensor<32xf32>
  %tp = avila.linear %ta, %tpw, %tpb : (tensor<?x64xf32>, tensor<32x64xf32>, tensor<32xf32>) -> tensor<?x32xf32>
  %batch = avila.dim %x[0] : tensor<?x32x?x?xf32>
  %tp4 = avila.reshape %tp dims(%batch) : tensor<?x32xf32> -> tensor<?x32x1x1xf32>
  %h2 = avila.add %h1, %tp4 : (tensor<?x32x?x?xf32>, tensor<?x32x1x1xf32>) -> tensor<?x32x?x?xf32>
  %g2 = avila.weight "resnets.0.norm2.weight" : tensor<32xf32>
  %b2 = avila.weight "resnets.0.norm2.bias" : tensor<32xf32>
  %n2 = avila.group_norm %h2, %g2, %b2 groups 8 eps 1.0e-5 : (tensor<?x32x?x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  %a2 = avila.silu %n2 : tensor<?x32x?x?xf32>
  %cw2 = avila.weight "resnets.0.conv2.weight" : tensor<32x32x3x3xf32>
  %cb2 = avila.weight "resnets.0.conv2.bias" : tensor<32xf32>
  %h3 = avila.conv2d %a2, %cw2, %cb2 stride [1, 1] padding [1, 1, 1, 1] : (tensor<?x32x?x?xf32>, tensor<32x32x3x3xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  %res = avila.add %x, %h3 : (tensor<?x32x?x?xf32>, tensor<?x32x?x?xf32>) -> tensor<?x32x?x?xf32>

  // Spatial transformer: NCHW → [N, H·W, C].
  %gn = avila.weight "attentions.0.norm.weight" : tensor<32xf32>
  %bn = avila.weight "attentions.0.norm.bias" : tensor<32xf32>
  %n3 = avila.group_norm %res, %gn, %bn groups 8 eps 1.0e-6 : (tensor<?x32x?x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?x?xf32>
  %nhwc = avila.transpose %n3 perm [0, 2, 3, 1] : (tensor<?x32x?x?xf32>) -> tensor<?x?x?x32xf32>
  %height = avila.dim %x[2] : tensor<?x32x?x?xf32>
  %width = avila.dim %x[3] : tensor<?x32x?x?xf32>
  %pixels = arith.muli %height, %width : index
  %seq = avila.reshape %nhwc dims(%batch, %pixels) : tensor<?x?x?x32xf32> -> tensor<?x?x32xf32>
  %piw = avila.weight "attentions.0.proj_in.weight" : tensor<16x32xf32>
  %pib = avila.weight "attentions.0.proj_in.bias" : tensor<16xf32>
  %s0 = avila.linear %seq, %piw, %pib : (tensor<?x?x32xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>

  %l1g = avila.weight "attentions.0.transformer_blocks.0.norm1.weight" : tensor<16xf32>
  %l1b = avila.weight "attentions.0.transformer_blocks.0.norm1.bias" : tensor<16xf32>
  %s0n = avila.layer_norm %s0, %l1g, %l1b eps 1.0e-5 : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %q1w = avila.weight "attentions.0.transformer_blocks.0.attn1.to_q.weight" : tensor<16x16xf32>
  %k1w = avila.weight "attentions.0.transformer_blocks.0.attn1.to_k.weight" : tensor<16x16xf32>
  %v1w = avila.weight "attentions.0.transformer_blocks.0.attn1.to_v.weight" : tensor<16x16xf32>
  %q1 = avila.linear %s0n, %q1w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
  %k1 = avila.linear %s0n, %k1w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
  %v1 = avila.linear %s0n, %v1w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
  %at1 = avila.attention %q1, %k1, %v1 heads 4 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>
  %o1w = avila.weight "attentions.0.transformer_blocks.0.attn1.to_out.0.weight" : tensor<16x16xf32>
  %o1b = avila.weight "attentions.0.transformer_blocks.0.attn1.to_out.0.bias" : tensor<16xf32>
  %o1 = avila.linear %at1, %o1w, %o1b : (tensor<?x?x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %s1 = avila.add %o1, %s0 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>

  %l2g = avila.weight "attentions.0.transformer_blocks.0.norm2.weight" : tensor<16xf32>
  %l2b = avila.weight "attentions.0.transformer_blocks.0.norm2.bias" : tensor<16xf32>
  %s1n = avila.layer_norm %s1, %l2g, %l2b eps 1.0e-5 : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %q2w = avila.weight "attentions.0.transformer_blocks.0.attn2.to_q.weight" : tensor<16x16xf32>
  %k2w = avila.weight "attentions.0.transformer_blocks.0.attn2.to_k.weight" : tensor<16x16xf32>
  %v2w = avila.weight "attentions.0.transformer_blocks.0.attn2.to_v.weight" : tensor<16x16xf32>
  %q2 = avila.linear %s1n, %q2w : (tensor<?x?x16xf32>, tensor<16x16xf32>) -> tensor<?x?x16xf32>
  %k2 = avila.linear %context, %k2w : (tensor<?x77x16xf32>, tensor<16x16xf32>) -> tensor<?x77x16xf32>
  %v2 = avila.linear %context, %v2w : (tensor<?x77x16xf32>, tensor<16x16xf32>) -> tensor<?x77x16xf32>
  %at2 = avila.attention %q2, %k2, %v2 heads 4 : (tensor<?x?x16xf32>, tensor<?x77x16xf32>, tensor<?x77x16xf32>) -> tensor<?x?x16xf32>
  %o2w = avila.weight "attentions.0.transformer_blocks.0.attn2.to_out.0.weight" : tensor<16x16xf32>
  %o2b = avila.weight "attentions.0.transformer_blocks.0.attn2.to_out.0.bias" : tensor<16xf32>
  %o2 = avila.linear %at2, %o2w, %o2b : (tensor<?x?x16xf32>, tensor<16x16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %s2 = avila.add %o2, %s1 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>

  %l3g = avila.weight "attentions.0.transformer_blocks.0.norm3.weight" : tensor<16xf32>
  %l3b = avila.weight "attentions.0.transformer_blocks.0.norm3.bias" : tensor<16xf32>
  %s2n = avila.layer_norm %s2, %l3g, %l3b eps 1.0e-5 : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %f1w = avila.weight "attentions.0.transformer_blocks.0.ff.net.0.proj.weight" : tensor<128x16xf32>
  %f1b = avila.weight "attentions.0.transformer_blocks.0.ff.net.0.proj.bias" : tensor<128xf32>
  %f1 = avila.linear %s2n, %f1w, %f1b : (tensor<?x?x16xf32>, tensor<128x16xf32>, tensor<128xf32>) -> tensor<?x?x128xf32>
  %f2 = avila.geglu %f1 : (tensor<?x?x128xf32>) -> tensor<?x?x64xf32>
  %f3w = avila.weight "attentions.0.transformer_blocks.0.ff.net.2.weight" : tensor<16x64xf32>
  %f3b = avila.weight "attentions.0.transformer_blocks.0.ff.net.2.bias" : tensor<16xf32>
  %f3 = avila.linear %f2, %f3w, %f3b : (tensor<?x?x64xf32>, tensor<16x64xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  %s3 = avila.add %f3, %s2 : (tensor<?x?x16xf32>, tensor<?x?x16xf32>) -> tensor<?x?x16xf32>

  // [N, H·W, C] → NCHW, plus the block's residual.
  %pow = avila.weight "attentions.0.proj_out.weight" : tensor<32x16xf32>
  %pob = avila.weight "attentions.0.proj_out.bias" : tensor<32xf32>
  %s4 = avila.linear %s3, %pow, %pob : (tensor<?x?x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<?x?x32xf32>
  %s5 = avila.reshape %s4 dims(%batch, %height, %width) : tensor<?x?x32xf32> -> tensor<?x?x?x32xf32>
  %nchw = avila.transpose %s5 perm [0, 3, 1, 2] : (tensor<?x?x?x32xf32>) -> tensor<?x32x?x?xf32>
  %out = avila.add %nchw, %res : (tensor<?x32x?x?xf32>, tensor<?x32x?x?xf32>) -> tensor<?x32x?x?xf32>
  return %out : tensor<?x32x?x?xf32>
}
