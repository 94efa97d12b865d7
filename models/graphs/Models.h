//===- Models.h - The networks of Stable Diffusion 1.x -----------*- C++
//-*-===//
//
// Each builder adds one function to a module, written in the avila dialect
// with canonical (diffusers) weight names. Batch, height, width (and the
// text context length) are dynamic.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_MODELS_GRAPHS_MODELS_H
#define AVILA_MODELS_GRAPHS_MODELS_H

#include "models/config/ModelConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace avila::models {

/// text_encoder(ids: [N, L] i32) -> last hidden state [N, L, D].
mlir::func::FuncOp buildTextEncoder(mlir::ModuleOp module,
                                    const TextEncoderConfig &config,
                                    mlir::Type elementType);

/// text_encoder_layers(ids: [N, L] i32) -> layers - 1 results [N, L, D]:
/// result i is the hidden state after layer i + 1 through the final layer
/// norm, what A1111's clip skip `layers - i` conditions on (clip skip 1 is
/// text_encoder's). For a config of at least two layers.
mlir::func::FuncOp buildTextEncoderLayers(mlir::ModuleOp module,
                                          const TextEncoderConfig &config,
                                          mlir::Type elementType);

/// unet(sample: [N, C, h, w], timesteps: [N], context: [N, L, Dc]) -> eps.
mlir::func::FuncOp buildUNet(mlir::ModuleOp module, const UNetConfig &config,
                             mlir::Type elementType);

/// vae_decoder(latents: [N, 4, h, w]) -> image [N, 3, 8h, 8w] in about
/// [-1, 1]; the caller divides the latents by the scaling factor first.
mlir::func::FuncOp buildVaeDecoder(mlir::ModuleOp module,
                                   const VaeConfig &config,
                                   mlir::Type elementType);

/// vae_encoder(image: [N, 3, H, W] in [-1, 1]) -> (mean, std), each
/// [N, 4, H/8, W/8]: the encoder's diagonal Gaussian.
mlir::func::FuncOp buildVaeEncoder(mlir::ModuleOp module,
                                   const VaeConfig &config,
                                   mlir::Type elementType);

/// All four networks, as the entry points text_encoder, unet, vae_decoder
/// and vae_encoder of one module, and text_encoder_layers for clip skip
/// (text encoders of two layers or more).
void buildAllNetworks(mlir::ModuleOp module, const ModelConfig &config,
                      mlir::Type elementType);

/// A new, verified f32 module of all four networks in `context` (dialects
/// loaded); null if it does not verify, which would be a builder bug.
mlir::OwningOpRef<mlir::ModuleOp>
buildNetworksModule(mlir::MLIRContext &context, const ModelConfig &config);

/// The module registering the dialects the builders use.
void loadModelDialects(mlir::MLIRContext &context);

} // namespace avila::models

#endif // AVILA_MODELS_GRAPHS_MODELS_H
