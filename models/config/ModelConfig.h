//===- ModelConfig.h - Configuration of the SD 1.x networks ------*- C++
//-*-===//
//
// What the graph builders need to know about a model, read from a diffusers
// config.json or inferred from the tensor shapes of a single-file checkpoint.
// Defaults are Stable Diffusion 1.5's.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_MODELS_CONFIG_MODELCONFIG_H
#define AVILA_MODELS_CONFIG_MODELCONFIG_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace avila::models {

struct TextEncoderConfig {
  int64_t vocabSize = 49408;
  int64_t hiddenSize = 768;
  int64_t intermediateSize = 3072;
  int64_t layers = 12;
  int64_t heads = 12;
  int64_t maxPositions = 77;
  double layerNormEps = 1e-5;
  bool quickGelu = true; // hidden_act "quick_gelu"; otherwise exact gelu
};

struct UNetConfig {
  int64_t inChannels = 4;
  int64_t outChannels = 4;
  std::vector<int64_t> blockOutChannels = {320, 640, 1280, 1280};
  std::vector<bool> downAttention = {true, true, true, false};
  std::vector<bool> upAttention = {false, true, true, true};
  int64_t layersPerBlock = 2;
  /// Heads per level. diffusers calls this attention_head_dim for SD 1.x/2.x
  /// configs although it counts heads.
  std::vector<int64_t> heads = {8, 8, 8, 8};
  int64_t crossAttentionDim = 768;
  int64_t transformerLayers = 1;
  bool useLinearProjection = false;
  int64_t normGroups = 32;
  double normEps = 1e-5;
  bool flipSinToCos = true;
  double freqShift = 0.0;
  int64_t downsamplePadding = 1;

  int64_t levels() const {
    return static_cast<int64_t>(blockOutChannels.size());
  }
  int64_t timeEmbedDim() const { return 4 * blockOutChannels.front(); }
};

struct VaeConfig {
  int64_t inChannels = 3;
  int64_t outChannels = 3;
  int64_t latentChannels = 4;
  std::vector<int64_t> blockOutChannels = {128, 256, 512, 512};
  int64_t layersPerBlock = 2;
  int64_t normGroups = 32;
  bool midAttention = true;
  bool useQuantConv = true;
  bool usePostQuantConv = true;
  double scalingFactor = 0.18215;

  int64_t levels() const {
    return static_cast<int64_t>(blockOutChannels.size());
  }
};

struct ModelConfig {
  TextEncoderConfig textEncoder;
  UNetConfig unet;
  VaeConfig vae;
};

/// The diffusers folder `path` names: the folder itself, its
/// model_index.json or a component's config.json (unet/config.json).
/// Throws avila::Error when it names none of them.
std::filesystem::path diffusersFolder(const std::filesystem::path &path);

/// Reads text_encoder/, unet/ and vae/ config.json of the diffusers folder
/// `path` names (see diffusersFolder). Every field is type-checked and
/// bounded; throws avila::Error naming the file and field for missing files,
/// wrong types, values out of bounds or unsupported settings.
ModelConfig readDiffusersConfig(const std::filesystem::path &path);

/// Infers the configuration from the tensor shapes of a single-file (LDM)
/// checkpoint, bounded as a config.json's would be. SD 1.x conventions fill
/// what shapes cannot say: 8 U-Net heads per level (SD 2.x: 64 channels per
/// head), CLIP heads of 64 channels.
ModelConfig
inferLdmConfig(const std::map<std::string, std::vector<int64_t>> &shapes);

} // namespace avila::models

#endif // AVILA_MODELS_CONFIG_MODELCONFIG_H
