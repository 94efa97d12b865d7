//===- Infotext.h - A1111's generation-parameters text -----------*- C++
//-*-===//
//
// The `parameters` text that the A1111 web UI writes into PNG files and
// reads back ("PNG Info"):
//
//   <prompt, any number of lines>
//   Negative prompt: <negative prompt, any number of lines>
//   Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512, ...
//
// Values with a comma, colon or newline are JSON-quoted.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_PIPELINE_INFOTEXT_H
#define AVILA_RUNTIME_PIPELINE_INFOTEXT_H

#include "runtime/pipeline/GenerationParameters.h"

#include <map>
#include <optional>
#include <string>

namespace avila {

/// Infotext for one image. `seed` and `subseed` are the image's own
/// (imageSeed, imageSubseed; the subseed is written with a variation
/// strength only); `img2img` adds the denoising strength.
std::string formatInfotext(const GenerationParameters &parameters, int64_t seed,
                           bool img2img, int64_t subseed = 0);

/// A1111's "Lora hashes" value: "name: hash, name2: hash2".
std::string
loraHashesText(const std::vector<std::pair<std::string, std::string>> &hashes);

/// Prompt, negative prompt and the `key: value` settings of an infotext.
struct ParsedInfotext {
  std::string prompt;
  std::string negativePrompt;
  std::map<std::string, std::string> settings;
};
ParsedInfotext parseInfotext(const std::string &text);

/// The parameters an infotext describes. Throws avila::Error for settings
/// that do not parse (an unknown sampler, a malformed size, ...).
GenerationParameters parametersFromInfotext(const std::string &text);

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_INFOTEXT_H
