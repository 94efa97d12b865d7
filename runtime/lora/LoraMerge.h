//===- LoraMerge.h - LoRA layers added into bound weights --------*- C++-*-===//
//
// The LoRAs one request applies, merged into the weights as they are bound:
// W += m · (α / r) · up · down, in f32 before any conversion to the
// artifact's weight type. The checkpoint keeps the plain weights, so a
// changed set is re-merged over them and an empty set gives them back bit for
// bit.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_LORA_LORAMERGE_H
#define AVILA_RUNTIME_LORA_LORAMERGE_H

#include "runtime/lora/LoraFile.h"

#include <map>
#include <memory>
#include <set>
#include <span>
#include <utility>

namespace avila {

/// A LoRA as a prompt or the command line applies it: A1111's
/// <lora:name:te:unet> has a multiplier for each network.
struct AppliedLora {
  std::shared_ptr<const LoraFile> file;
  double textEncoderMultiplier = 1;
  double unetMultiplier = 1;

  bool operator==(const AppliedLora &) const = default;
};

/// weight += multiplier · layer.scale · up · down (`weight` holds the
/// layer's target, [out, in·kh·kw] in row-major order).
void addLoraLayer(std::span<float> weight, const LoraLayer &layer,
                  double multiplier);

using WeightKey = std::pair<Component, std::string>;

class LoraSet {
public:
  LoraSet() = default;
  explicit LoraSet(std::vector<AppliedLora> loras);

  const std::vector<AppliedLora> &loras() const { return applied; }
  bool empty() const { return applied.empty(); }
  /// The weights the set changes.
  std::set<WeightKey> changedWeights() const;
  /// Adds the set's changes of weight `key` to `values`.
  void apply(const WeightKey &key, std::span<float> values) const;

  bool operator==(const LoraSet &other) const {
    return applied == other.applied;
  }

private:
  std::vector<AppliedLora> applied;
  std::map<WeightKey, std::vector<std::pair<const LoraLayer *, double>>>
      byWeight;
};

} // namespace avila

#endif // AVILA_RUNTIME_LORA_LORAMERGE_H
