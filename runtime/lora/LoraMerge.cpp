//===- LoraMerge.cpp - LoRA layers added into bound weights ---------------===//

#include "runtime/lora/LoraMerge.h"

namespace avila {

void addLoraLayer(std::span<float> weight, const LoraLayer &layer,
                  double multiplier) {
  const size_t rank = static_cast<size_t>(layer.rank);
  const size_t inputs = layer.down.size() / rank;
  const size_t outputs = layer.up.size() / rank;
  const float scale = static_cast<float>(multiplier * layer.scale);
  std::vector<float> row(inputs);
  for (size_t o = 0; o < outputs; ++o) {
    std::fill(row.begin(), row.end(), 0.0f);
    for (size_t k = 0; k < rank; ++k) {
      const float factor = layer.up[o * rank + k];
      const float *down = &layer.down[k * inputs];
      for (size_t i = 0; i < inputs; ++i)
        row[i] += factor * down[i];
    }
    float *out = &weight[o * inputs];
    for (size_t i = 0; i < inputs; ++i)
      out[i] += scale * row[i];
  }
}

LoraSet::LoraSet(std::vector<AppliedLora> loras) : applied(std::move(loras)) {
  for (const AppliedLora &lora : applied)
    for (const LoraLayer &layer : lora.file->layers())
      byWeight[{layer.target.component, layer.target.name}].emplace_back(
          &layer, layer.target.component == Component::UNet
                      ? lora.unetMultiplier
                      : lora.textEncoderMultiplier);
}

std::set<WeightKey> LoraSet::changedWeights() const {
  std::set<WeightKey> keys;
  for (const auto &[key, layers] : byWeight)
    keys.insert(key);
  return keys;
}

void LoraSet::apply(const WeightKey &key, std::span<float> values) const {
  const auto found = byWeight.find(key);
  if (found == byWeight.end())
    return;
  for (const auto &[layer, multiplier] : found->second)
    addLoraLayer(values, *layer, multiplier);
}

} // namespace avila
