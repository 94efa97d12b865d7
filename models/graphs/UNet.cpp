//===- UNet.cpp - The SD 1.x denoising U-Net
//-------------------------------===//
//
// diffusers' UNet2DConditionModel as SD 1.x configures it, top to bottom:
// time embedding, conv_in, down levels (ResNet blocks, spatial transformers,
// strided-conv downsampling), the mid block, up levels that concatenate the
// skip connections and upsample to the skip's size, and the output head.
//
//===----------------------------------------------------------------------===//

#include "models/graphs/GraphBuilder.h"
#include "models/graphs/Models.h"
#include "models/graphs/ResnetBlock.h"

#include "compiler/dialect/AvilaOps.h"

using namespace mlir;

namespace avila::models {

namespace {

std::string str(int64_t value) { return std::to_string(value); }

// Multi-head attention with the query from `x` and keys and values from
// `context` (x itself for self-attention).
Value attentionLayer(GraphBuilder &g, Value x, Value context,
                     const std::string &layer, int64_t heads) {
  const int64_t channels = GraphBuilder::staticSize(x, 2);
  Value q = g.linear(x, layer + ".to_q", channels, /*bias=*/false);
  Value k = g.linear(context, layer + ".to_k", channels, /*bias=*/false);
  Value v = g.linear(context, layer + ".to_v", channels, /*bias=*/false);
  return g.linear(g.attention(q, k, v, heads), layer + ".to_out.0", channels);
}

// BasicTransformerBlock: self-attention, cross-attention to the text, GEGLU
// feed-forward, each pre-normalized and residual.
Value transformerBlock(GraphBuilder &g, Value x, Value context,
                       const std::string &block, int64_t heads) {
  constexpr double kEps = 1e-5;
  const int64_t channels = GraphBuilder::staticSize(x, 2);
  Value h = g.layerNorm(x, block + ".norm1", kEps);
  x = g.add(attentionLayer(g, h, h, block + ".attn1", heads), x);
  h = g.layerNorm(x, block + ".norm2", kEps);
  x = g.add(attentionLayer(g, h, context, block + ".attn2", heads), x);
  h = g.layerNorm(x, block + ".norm3", kEps);
  h = g.linear(h, block + ".ff.net.0.proj", 8 * channels);
  h = GegluOp::create(g.builder(), g.loc(), h);
  h = g.linear(h, block + ".ff.net.2", channels);
  return g.add(h, x);
}

// Transformer2DModel: group norm, projection in, transformer blocks over the
// H·W positions, projection out, residual.
Value spatialTransformer(GraphBuilder &g, Value x, Value context,
                         const std::string &block, int64_t heads,
                         const UNetConfig &config) {
  const int64_t channels = GraphBuilder::staticSize(x, 1);
  const bool linear = config.useLinearProjection;
  Value h = g.groupNorm(x, block + ".norm", config.normGroups, 1e-6);
  if (!linear)
    h = g.conv1x1(h, block + ".proj_in", channels);
  h = g.imageToSequence(h);
  if (linear)
    h = g.linear(h, block + ".proj_in", channels);
  for (int64_t k = 0; k < config.transformerLayers; ++k)
    h = transformerBlock(g, h, context, block + ".transformer_blocks." + str(k),
                         heads);
  if (linear)
    h = g.linear(h, block + ".proj_out", channels);
  h = g.sequenceToImage(h, x);
  if (!linear)
    h = g.conv1x1(h, block + ".proj_out", channels);
  return g.add(h, x);
}

} // namespace

func::FuncOp buildUNet(ModuleOp module, const UNetConfig &config,
                       Type elementType) {
  GraphBuilder g(module, elementType);
  constexpr int64_t kDyn = GraphBuilder::kDynamic;
  const auto &channels = config.blockOutChannels;
  const int64_t levels = config.levels(), groups = config.normGroups;
  const double eps = config.normEps;
  auto args = g.beginFunction(
      "unet",
      {g.tensor({kDyn, config.inChannels, kDyn, kDyn}), g.tensor({kDyn}),
       g.tensor({kDyn, kDyn, config.crossAttentionDim})});
  Value sample = args[0], timesteps = args[1], context = args[2];

  // Time embedding.
  OpBuilder &b = g.builder();
  Value t = TimestepEmbeddingOp::create(
      b, g.loc(), timesteps, b.getI64IntegerAttr(channels.front()),
      config.flipSinToCos ? b.getUnitAttr() : UnitAttr(),
      b.getF64FloatAttr(config.freqShift), b.getF64FloatAttr(10000.0),
      b.getF64FloatAttr(1.0));
  t = g.linear(t, "time_embedding.linear_1", config.timeEmbedDim());
  Value emb =
      g.linear(g.silu(t), "time_embedding.linear_2", config.timeEmbedDim());

  // Down levels; every intermediate result is a skip connection.
  Value x = g.conv3x3(sample, "conv_in", channels.front());
  std::vector<Value> skips = {x};
  for (int64_t i = 0; i < levels; ++i) {
    const std::string level = "down_blocks." + str(i);
    for (int64_t j = 0; j < config.layersPerBlock; ++j) {
      x = resnetBlock(g, x, level + ".resnets." + str(j), channels[i], emb,
                      groups, eps);
      if (config.downAttention[i])
        x = spatialTransformer(g, x, context, level + ".attentions." + str(j),
                               config.heads[i], config);
      skips.push_back(x);
    }
    if (i + 1 < levels) {
      const int64_t p = config.downsamplePadding;
      x = g.conv2d(x, level + ".downsamplers.0.conv", channels[i], 3, 2,
                   {p, p, p, p});
      skips.push_back(x);
    }
  }

  // Mid block.
  x = resnetBlock(g, x, "mid_block.resnets.0", channels.back(), emb, groups,
                  eps);
  x = spatialTransformer(g, x, context, "mid_block.attentions.0",
                         config.heads.back(), config);
  x = resnetBlock(g, x, "mid_block.resnets.1", channels.back(), emb, groups,
                  eps);

  // Up levels, from the lowest resolution; each ResNet block takes one skip.
  for (int64_t i = 0; i < levels; ++i) {
    const std::string level = "up_blocks." + str(i);
    const int64_t levelChannels = channels[levels - 1 - i];
    for (int64_t j = 0; j <= config.layersPerBlock; ++j) {
      Value skip = skips.back();
      skips.pop_back();
      x = ConcatOp::create(b, g.loc(), ValueRange{x, skip}, 1);
      x = resnetBlock(g, x, level + ".resnets." + str(j), levelChannels, emb,
                      groups, eps);
      if (config.upAttention[i])
        x = spatialTransformer(g, x, context, level + ".attentions." + str(j),
                               config.heads[levels - 1 - i], config);
    }
    if (i + 1 < levels) {
      // To the size of the next skip: odd sizes round down on the way down.
      x = g.upsampleTo(x, skips.back());
      x = g.conv3x3(x, level + ".upsamplers.0.conv", levelChannels);
    }
  }

  x = g.silu(g.groupNorm(x, "conv_norm_out", groups, eps));
  x = g.conv3x3(x, "conv_out", config.outChannels);
  return g.endFunction({x});
}

} // namespace avila::models
