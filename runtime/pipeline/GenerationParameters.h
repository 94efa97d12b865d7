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
  SamplerChoice sampler{SamplerKind::EulerAncestral, false};
  /// -1: pick one at random (the chosen seed is reported with the image).
  int64_t seed = -1;
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

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_GENERATIONPARAMETERS_H
