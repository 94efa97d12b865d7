//===- PromptLoras.h - A1111's <lora:name:multiplier> in prompts -*- C++-*-===//
//
// A1111's extra-network syntax for LoRAs: <lora:name>, <lora:name:m> and
// <lora:name:te:unet> (separate multipliers for the text encoder and the
// U-Net; <lyco:...> the same). The tags are taken out of the prompt text the
// text encoder sees, as A1111 does; the infotext keeps the prompt as
// written.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_TEXT_PROMPTLORAS_H
#define AVILA_RUNTIME_TEXT_PROMPTLORAS_H

#include <string>
#include <vector>

namespace avila {

struct PromptLora {
  std::string name;
  double textEncoderMultiplier = 1;
  double unetMultiplier = 1;

  bool operator==(const PromptLora &) const = default;
};

struct LoraPrompt {
  /// The prompt without its LoRA tags.
  std::string text;
  std::vector<PromptLora> loras;
};

/// Splits the LoRA tags off `prompt`; throws avila::Error for a tag with an
/// empty name, a multiplier that is not a finite number or more than two
/// multipliers.
LoraPrompt extractLoras(const std::string &prompt);

} // namespace avila

#endif // AVILA_RUNTIME_TEXT_PROMPTLORAS_H
