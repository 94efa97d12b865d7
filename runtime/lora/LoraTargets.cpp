//===- LoraTargets.cpp - The weights a LoRA may change --------------------===//

#include "runtime/lora/LoraTargets.h"

#include <algorithm>
#include <cctype>

namespace avila {
namespace {

constexpr std::string_view kWeight = ".weight";

// A path's parts, numbers compared as numbers, the U-Net's blocks in the
// order diffusers registers them (down_blocks, up_blocks, then mid_block,
// which is assigned last): the order cloneofsimo's trainer walked modules.
std::vector<std::pair<int64_t, std::string>>
walkOrder(const std::string &path) {
  std::vector<std::pair<int64_t, std::string>> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('.', start);
    if (end == std::string::npos)
      end = path.size();
    const std::string part = path.substr(start, end - start);
    const bool number =
        !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        });
    if (number)
      parts.emplace_back(std::stoll(part), "");
    else
      parts.emplace_back(part == "down_blocks" ? 0
                         : part == "up_blocks" ? 1
                         : part == "mid_block" ? 2
                                               : 3,
                         part);
    start = end + 1;
  }
  return parts;
}

// The linear layers cloneofsimo's trainer replaced, per ancestor module: in
// the U-Net each transformer block's attn1 and attn2 (CrossAttention: q, k,
// v, out) and its feed-forward's GEGLU projection, in the order the block
// registers them; in the text encoder each CLIPAttention's k, v, q, out.
struct InjectedLayers {
  const char *anchor; // a weight that marks an ancestor
  std::vector<const char *> layers;
};

InjectedLayers injectedLayers(Component component) {
  if (component == Component::UNet)
    return {".attn1.to_q.weight",
            {".attn1.to_q", ".attn1.to_k", ".attn1.to_v", ".attn1.to_out.0",
             ".ff.net.0.proj", ".attn2.to_q", ".attn2.to_k", ".attn2.to_v",
             ".attn2.to_out.0"}};
  return {".self_attn.q_proj.weight",
          {".self_attn.k_proj", ".self_attn.v_proj", ".self_attn.q_proj",
           ".self_attn.out_proj"}};
}

} // namespace

LoraTargets::LoraTargets(std::vector<LoraTarget> weights)
    : weights(std::move(weights)) {
  for (size_t i = 0; i < this->weights.size(); ++i) {
    const LoraTarget &weight = this->weights[i];
    if (!weight.name.ends_with(kWeight))
      continue;
    std::string module = weight.name.substr(0, weight.name.size() - 7);
    byModule[{weight.component, module}] = i;
    std::replace(module.begin(), module.end(), '.', '_');
    byKohya[{weight.component, module}] = i;
  }
  for (Component component : {Component::UNet, Component::TextEncoder}) {
    const InjectedLayers injected = injectedLayers(component);
    std::vector<std::string> ancestors;
    for (const LoraTarget &weight : this->weights)
      if (weight.component == component &&
          weight.name.ends_with(injected.anchor))
        ancestors.push_back(weight.name.substr(
            0, weight.name.size() - std::string_view(injected.anchor).size()));
    std::sort(ancestors.begin(), ancestors.end(),
              [](const std::string &a, const std::string &b) {
                return walkOrder(a) < walkOrder(b);
              });
    for (const std::string &ancestor : ancestors)
      for (const char *layer : injected.layers) {
        const auto found = byModule.find({component, ancestor + layer});
        if (found != byModule.end())
          cloneofsimoOrder[component].push_back(found->second);
      }
  }
}

LoraTargets LoraTargets::ofArtifact(const Artifact &artifact) {
  std::vector<LoraTarget> weights;
  if (const auto *manifest = artifact.root().weights())
    for (const artifact::Weight *weight : *manifest) {
      const std::string component = weight->component()->str();
      if (component != "unet" && component != "text_encoder")
        continue;
      weights.push_back(
          {component == "unet" ? Component::UNet : Component::TextEncoder,
           weight->name()->str(),
           std::vector<int64_t>(weight->shape()->begin(),
                                weight->shape()->end())});
    }
  return LoraTargets(std::move(weights));
}

const LoraTarget *LoraTargets::module(Component component,
                                      const std::string &module) const {
  const auto found = byModule.find({component, module});
  return found == byModule.end() ? nullptr : &weights[found->second];
}

const LoraTarget *
LoraTargets::kohyaModule(Component component,
                         const std::string &underscored) const {
  const auto found = byKohya.find({component, underscored});
  return found == byKohya.end() ? nullptr : &weights[found->second];
}

const LoraTarget *LoraTargets::cloneofsimoLayer(Component component,
                                                size_t index) const {
  const auto found = cloneofsimoOrder.find(component);
  if (found == cloneofsimoOrder.end() || index >= found->second.size())
    return nullptr;
  return &weights[found->second[index]];
}

} // namespace avila
