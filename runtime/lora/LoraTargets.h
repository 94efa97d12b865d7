//===- LoraTargets.h - The weights a LoRA may change -------------*- C++-*-===//
//
// A LoRA names the layers it changes in its trainer's own way: kohya and
// LyCORIS join the diffusers module path with '_' (lora_unet_down_blocks_0_
// attentions_0_proj_in), diffusers and PEFT keep the dots
// (unet.down_blocks.0...), cloneofsimo's files number the linear layers in
// the order its trainer injected them (unet:N, text_encoder:N). Every form
// is looked up here among the model's canonical (diffusers) weight names,
// with the shapes the merge checks against.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_LORA_LORATARGETS_H
#define AVILA_RUNTIME_LORA_LORATARGETS_H

#include "runtime/artifact/Artifact.h"
#include "runtime/weights/Component.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace avila {

struct LoraTarget {
  Component component;
  /// The weight's canonical name ("...attn1.to_q.weight").
  std::string name;
  std::vector<int64_t> shape;
};

class LoraTargets {
public:
  explicit LoraTargets(std::vector<LoraTarget> weights);
  /// The weights of an artifact's manifest.
  static LoraTargets ofArtifact(const Artifact &artifact);

  /// The weight of module `module` ("mid_block.attentions.0.proj_in"), or
  /// nullptr.
  const LoraTarget *module(Component component,
                           const std::string &module) const;
  /// kohya's and LyCORIS's form of a module path ('.' written as '_').
  const LoraTarget *kohyaModule(Component component,
                                const std::string &underscored) const;
  /// cloneofsimo's `index`th layer, or nullptr.
  const LoraTarget *cloneofsimoLayer(Component component, size_t index) const;

private:
  std::vector<LoraTarget> weights;
  std::map<std::pair<Component, std::string>, size_t> byModule, byKohya;
  std::map<Component, std::vector<size_t>> cloneofsimoOrder;
};

} // namespace avila

#endif // AVILA_RUNTIME_LORA_LORATARGETS_H
