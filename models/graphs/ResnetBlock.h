//===- ResnetBlock.h - The ResNet block of the U-Net and the VAE -*- C++
//-*-===//

#ifndef AVILA_MODELS_GRAPHS_RESNETBLOCK_H
#define AVILA_MODELS_GRAPHS_RESNETBLOCK_H

#include "models/graphs/GraphBuilder.h"

namespace avila::models {

/// diffusers' ResnetBlock2D: norm1 → silu → conv1 (+ time_emb_proj(silu(emb))
/// when `timeEmbedding` is given) → norm2 → silu → conv2, plus the input
/// (through conv_shortcut when the channel count changes).
mlir::Value resnetBlock(GraphBuilder &g, mlir::Value x,
                        const std::string &block, int64_t outChannels,
                        mlir::Value timeEmbedding, int64_t groups,
                        double epsilon);

} // namespace avila::models

#endif // AVILA_MODELS_GRAPHS_RESNETBLOCK_H
