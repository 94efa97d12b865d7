//===- Vae.cpp - The SD 1.x autoencoder (AutoencoderKL) -------------------===//
//
// The decoder turns latents into images, the encoder images into the mean and
// standard deviation of the latent distribution. Both are ResNet blocks at
// falling (encoder) or rising (decoder) resolution around a mid block with
// one single-head self-attention.
//
//===----------------------------------------------------------------------===//

#include "models/graphs/GraphBuilder.h"
#include "models/graphs/Models.h"
#include "models/graphs/ResnetBlock.h"

#include "compiler/dialect/AvilaOps.h"

using namespace mlir;

namespace avila::models {

namespace {

constexpr double kEps = 1e-6;

std::string str(int64_t value) { return std::to_string(value); }

// The mid block's attention: one head over the H·W positions, residual.
Value midAttention(GraphBuilder &g, Value x, const std::string &layer,
                   int64_t groups) {
  const int64_t channels = GraphBuilder::staticSize(x, 1);
  Value h =
      g.imageToSequence(g.groupNorm(x, layer + ".group_norm", groups, kEps));
  Value q = g.linear(h, layer + ".to_q", channels);
  Value k = g.linear(h, layer + ".to_k", channels);
  Value v = g.linear(h, layer + ".to_v", channels);
  h = g.linear(g.attention(q, k, v, /*heads=*/1), layer + ".to_out.0",
               channels);
  return g.add(g.sequenceToImage(h, x), x);
}

Value midBlock(GraphBuilder &g, Value x, const std::string &half,
               const VaeConfig &config) {
  const int64_t channels = config.blockOutChannels.back();
  const int64_t groups = config.normGroups;
  x = resnetBlock(g, x, half + ".mid_block.resnets.0", channels, Value(),
                  groups, kEps);
  if (config.midAttention)
    x = midAttention(g, x, half + ".mid_block.attentions.0", groups);
  return resnetBlock(g, x, half + ".mid_block.resnets.1", channels, Value(),
                     groups, kEps);
}

} // namespace

func::FuncOp buildVaeDecoder(ModuleOp module, const VaeConfig &config,
                             Type elementType) {
  GraphBuilder g(module, elementType);
  constexpr int64_t kDyn = GraphBuilder::kDynamic;
  const auto &channels = config.blockOutChannels;
  const int64_t levels = config.levels(), groups = config.normGroups;
  Value x = g.beginFunction(
      "vae_decoder", {g.tensor({kDyn, config.latentChannels, kDyn, kDyn})})[0];

  if (config.usePostQuantConv)
    x = g.conv1x1(x, "post_quant_conv", config.latentChannels);
  x = g.conv3x3(x, "decoder.conv_in", channels.back());
  x = midBlock(g, x, "decoder", config);
  for (int64_t i = 0; i < levels; ++i) {
    const std::string level = "decoder.up_blocks." + str(i);
    const int64_t levelChannels = channels[levels - 1 - i];
    for (int64_t j = 0; j <= config.layersPerBlock; ++j)
      x = resnetBlock(g, x, level + ".resnets." + str(j), levelChannels,
                      Value(), groups, kEps);
    if (i + 1 < levels) {
      auto type = cast<RankedTensorType>(x.getType());
      x = UpsampleNearestOp::create(
          g.builder(), g.loc(),
          g.tensor({type.getDimSize(0), type.getDimSize(1), kDyn, kDyn}), x,
          ValueRange{});
      x = g.conv3x3(x, level + ".upsamplers.0.conv", levelChannels);
    }
  }
  x = g.silu(g.groupNorm(x, "decoder.conv_norm_out", groups, kEps));
  x = g.conv3x3(x, "decoder.conv_out", config.outChannels);
  return g.endFunction({x});
}

func::FuncOp buildVaeEncoder(ModuleOp module, const VaeConfig &config,
                             Type elementType) {
  GraphBuilder g(module, elementType);
  constexpr int64_t kDyn = GraphBuilder::kDynamic;
  const auto &channels = config.blockOutChannels;
  const int64_t levels = config.levels(), groups = config.normGroups;
  Value x = g.beginFunction(
      "vae_encoder", {g.tensor({kDyn, config.inChannels, kDyn, kDyn})})[0];

  x = g.conv3x3(x, "encoder.conv_in", channels.front());
  for (int64_t i = 0; i < levels; ++i) {
    const std::string level = "encoder.down_blocks." + str(i);
    for (int64_t j = 0; j < config.layersPerBlock; ++j)
      x = resnetBlock(g, x, level + ".resnets." + str(j), channels[i], Value(),
                      groups, kEps);
    // Downsample2D without padding in the conv: pad right and bottom by one.
    if (i + 1 < levels)
      x = g.conv2d(x, level + ".downsamplers.0.conv", channels[i], 3, 2,
                   {0, 1, 0, 1});
  }
  x = midBlock(g, x, "encoder", config);
  x = g.silu(g.groupNorm(x, "encoder.conv_norm_out", groups, kEps));
  x = g.conv3x3(x, "encoder.conv_out", 2 * config.latentChannels);
  if (config.useQuantConv)
    x = g.conv1x1(x, "quant_conv", 2 * config.latentChannels);

  // DiagonalGaussianDistribution: std = exp(clamp(logvar, -30, 20) / 2).
  auto type = cast<RankedTensorType>(x.getType());
  auto half = g.tensor({type.getDimSize(0), config.latentChannels,
                        type.getDimSize(2), type.getDimSize(3)});
  auto moments = SplitOp::create(g.builder(), g.loc(), TypeRange{half, half}, x,
                                 /*axis=*/1);
  OpBuilder &b = g.builder();
  Value logvar =
      ClampOp::create(b, g.loc(), moments.getResult(1),
                      b.getF64FloatAttr(-30.0), b.getF64FloatAttr(20.0));
  Value std = ExpOp::create(
      b, g.loc(),
      MulScalarOp::create(b, g.loc(), logvar, b.getF64FloatAttr(0.5)));
  return g.endFunction({moments.getResult(0), std});
}

} // namespace avila::models
