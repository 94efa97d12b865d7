//===- TextEncoder.cpp - The CLIP text encoder of SD 1.x ------------------===//
//
// transformers' CLIPTextModel: token plus position embeddings, pre-LN
// transformer layers with causal self-attention and a quick-GELU MLP, and a
// final layer norm. SD 1.x conditions on the last hidden state; with A1111's
// clip skip N, on the hidden state N - 1 layers before the last, through the
// same final layer norm.
//
//===----------------------------------------------------------------------===//

#include "models/graphs/GraphBuilder.h"
#include "models/graphs/Models.h"

#include "compiler/dialect/AvilaOps.h"

using namespace mlir;

namespace avila::models {
namespace {

// The function `name` over token ids, its embeddings and first `layers`
// layers, returning the final layer norm of each hidden state `keep` picks
// (by the number of layers it follows).
func::FuncOp buildEncoderLayers(ModuleOp module,
                                const TextEncoderConfig &config,
                                Type elementType, StringRef name,
                                int64_t layers,
                                llvm::function_ref<bool(int64_t)> keep) {
  GraphBuilder g(module, elementType);
  OpBuilder &b = g.builder();
  const int64_t width = config.hiddenSize, length = config.maxPositions;
  const double eps = config.layerNormEps;
  Value ids = g.beginFunction(
      name, {RankedTensorType::get({GraphBuilder::kDynamic, length},
                                   b.getI32Type())})[0];

  Value tokens = g.weight("text_model.embeddings.token_embedding.weight",
                          {config.vocabSize, width});
  Value positions = g.weight("text_model.embeddings.position_embedding.weight",
                             {length, width});
  Value x = g.add(GatherOp::create(b, g.loc(), tokens, ids), positions);

  std::vector<Value> outputs;
  for (int64_t i = 0; i < layers; ++i) {
    const std::string layer = "text_model.encoder.layers." + std::to_string(i);
    Value h = g.layerNorm(x, layer + ".layer_norm1", eps);
    Value q = g.linear(h, layer + ".self_attn.q_proj", width);
    Value k = g.linear(h, layer + ".self_attn.k_proj", width);
    Value v = g.linear(h, layer + ".self_attn.v_proj", width);
    h = g.attention(q, k, v, config.heads, /*causal=*/true);
    x = g.add(x, g.linear(h, layer + ".self_attn.out_proj", width));

    h = g.layerNorm(x, layer + ".layer_norm2", eps);
    h = g.linear(h, layer + ".mlp.fc1", config.intermediateSize);
    h = config.quickGelu ? Value(QuickGeluOp::create(b, g.loc(), h))
                         : Value(GeluOp::create(b, g.loc(), h));
    x = g.add(x, g.linear(h, layer + ".mlp.fc2", width));
    if (keep(i + 1))
      outputs.push_back(g.layerNorm(x, "text_model.final_layer_norm", eps));
  }
  return g.endFunction(outputs);
}

} // namespace

func::FuncOp buildTextEncoder(ModuleOp module, const TextEncoderConfig &config,
                              Type elementType) {
  return buildEncoderLayers(
      module, config, elementType, "text_encoder", config.layers,
      [&](int64_t layer) { return layer == config.layers; });
}

func::FuncOp buildTextEncoderLayers(ModuleOp module,
                                    const TextEncoderConfig &config,
                                    Type elementType) {
  return buildEncoderLayers(module, config, elementType, "text_encoder_layers",
                            config.layers - 1, [](int64_t) { return true; });
}

} // namespace avila::models
