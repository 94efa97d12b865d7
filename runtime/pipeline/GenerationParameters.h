//===- GenerationParameters.h - What one generation request asks -*- C++
//-*-===//

#ifndef AVILA_RUNTIME_PIPELINE_GENERATIONPARAMETERS_H
#define AVILA_RUNTIME_PIPELINE_GENERATIONPARAMETERS_H

#include "runtime/image/ResizeMode.h"
#include "runtime/random/NoiseGenerator.h"
#include "runtime/sampling/Sampler.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace avila {

struct GenerationParameters {
  std::string prompt;
  std::string negativePrompt;
  int steps = 20;
  double cfgScale = 7.5;
  SamplerChoice sampler{SamplerKind::EulerAncestral};
  /// -1: pick one at random (the chosen seed is reported with the image).
  int64_t seed = -1;
  /// A1111's variation seed: the noise is slerped this far (0..1) toward
  /// the subseed's (-1: a random subseed).
  int64_t subseed = -1;
  double subseedStrength = 0;
  /// A1111's "resize seed from": the seed's noise made for an image of
  /// this size and pasted centred; off unless both are positive.
  int seedResizeFromWidth = -1;
  int seedResizeFromHeight = -1;
  /// A1111's "Clip skip" (CLIP_stop_at_last_layers): condition on the text
  /// encoder's hidden state this many layers from the end (1: the last).
  int clipSkip = 1;
  NoiseSource rng = NoiseSource::TorchCpu;
  int width = 512;
  int height = 512;
  int batchSize = 1;
  int batchCount = 1;
  /// img2img only: how much of the schedule to run (1 = ignore the image).
  double strength = 0.75;
  /// img2img only: how the init image is made the requested size.
  ResizeMode resizeMode = ResizeMode::Just;
  ResizeFilter resizeFilter = ResizeFilter::Lanczos;
  /// Shown in the infotext ("Model: ...").
  std::string modelName;
  /// The LoRAs applied, by name, with their short hashes (infotext "Lora
  /// hashes", as LoadedModel::useLoras gives them).
  std::vector<std::pair<std::string, std::string>> loraHashes;
};

/// Image `index` of a run's seed and variation seed, as A1111 numbers them:
/// seed + index, except that with a variation strength every image keeps
/// the seed and the subseed counts up.
inline int64_t imageSeed(const GenerationParameters &parameters,
                         int64_t index) {
  return parameters.seed + (parameters.subseedStrength == 0 ? index : 0);
}
inline int64_t imageSubseed(const GenerationParameters &parameters,
                            int64_t index) {
  return parameters.subseed + index;
}
/// Whether the seed's noise is made for another size (seedResizeFrom...).
inline bool resizesSeed(const GenerationParameters &parameters) {
  return parameters.seedResizeFromWidth > 0 &&
         parameters.seedResizeFromHeight > 0;
}

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_GENERATIONPARAMETERS_H
