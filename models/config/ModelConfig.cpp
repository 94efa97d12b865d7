//===- ModelConfig.cpp - Configuration of the SD 1.x networks -------------===//

#include "models/config/ModelConfig.h"
#include "runtime/base/Error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace avila::models {

namespace {

json readJson(const fs::path &path) {
  std::ifstream stream(path);
  if (!stream)
    fail("cannot read " + path.string());
  json value = json::parse(stream, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded() || !value.is_object())
    fail(path.string() + " is not a JSON object");
  return value;
}

// One field of a config file, with a default for absent or null fields.
class ConfigFile {
public:
  explicit ConfigFile(const fs::path &path)
      : path(path), value(readJson(path)) {}

  template <typename T> T get(const char *key, T fallback) const {
    auto it = value.find(key);
    if (it == value.end() || it->is_null())
      return fallback;
    try {
      return it->get<T>();
    } catch (const json::exception &) {
      fail(path.string() + ": field '" + key + "' has the wrong type");
    }
  }

  // A field that may be one value or one value per level.
  std::vector<int64_t> perLevel(const char *key, std::vector<int64_t> fallback,
                                size_t levels) const {
    auto it = value.find(key);
    if (it == value.end() || it->is_null())
      return fallback;
    if (it->is_number_integer())
      return std::vector<int64_t>(levels, it->get<int64_t>());
    auto values = get<std::vector<int64_t>>(key, {});
    if (values.size() != levels)
      fail(path.string() + ": '" + key + "' needs one value per level");
    return values;
  }

  void require(bool condition, const std::string &what) const {
    if (!condition)
      fail(path.string() + ": unsupported setting: " + what);
  }

  fs::path path;
  json value;
};

void checkPositive(const std::vector<int64_t> &values,
                   const std::string &what) {
  if (values.empty())
    fail(what + " must not be empty");
  for (int64_t value : values)
    if (value <= 0 || value > (int64_t{1} << 20))
      fail(what + " must be positive and reasonable");
}

TextEncoderConfig readTextEncoder(const fs::path &path) {
  ConfigFile file(path);
  TextEncoderConfig config;
  config.vocabSize = file.get<int64_t>("vocab_size", config.vocabSize);
  config.hiddenSize = file.get<int64_t>("hidden_size", config.hiddenSize);
  config.intermediateSize =
      file.get<int64_t>("intermediate_size", config.intermediateSize);
  config.layers = file.get<int64_t>("num_hidden_layers", config.layers);
  config.heads = file.get<int64_t>("num_attention_heads", config.heads);
  config.maxPositions =
      file.get<int64_t>("max_position_embeddings", config.maxPositions);
  config.layerNormEps = file.get<double>("layer_norm_eps", config.layerNormEps);
  const std::string activation =
      file.get<std::string>("hidden_act", "quick_gelu");
  file.require(activation == "quick_gelu" || activation == "gelu",
               "hidden_act " + activation);
  config.quickGelu = activation == "quick_gelu";
  checkPositive({config.vocabSize, config.hiddenSize, config.intermediateSize,
                 config.layers, config.heads, config.maxPositions},
                path.string() + ": sizes");
  file.require(config.hiddenSize % config.heads == 0,
               "hidden_size not divisible by num_attention_heads");
  return config;
}

UNetConfig readUNet(const fs::path &path) {
  ConfigFile file(path);
  UNetConfig config;
  config.inChannels = file.get<int64_t>("in_channels", config.inChannels);
  config.outChannels = file.get<int64_t>("out_channels", config.outChannels);
  config.blockOutChannels = file.get<std::vector<int64_t>>(
      "block_out_channels", config.blockOutChannels);
  const size_t levels = config.blockOutChannels.size();
  auto downTypes = file.get<std::vector<std::string>>(
      "down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                           "CrossAttnDownBlock2D", "DownBlock2D"});
  auto upTypes = file.get<std::vector<std::string>>(
      "up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D",
                         "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"});
  file.require(downTypes.size() == levels && upTypes.size() == levels,
               "block type lists must have one entry per level");
  config.downAttention.clear();
  config.upAttention.clear();
  for (const std::string &type : downTypes) {
    file.require(type == "CrossAttnDownBlock2D" || type == "DownBlock2D",
                 "down block " + type);
    config.downAttention.push_back(type == "CrossAttnDownBlock2D");
  }
  for (const std::string &type : upTypes) {
    file.require(type == "CrossAttnUpBlock2D" || type == "UpBlock2D",
                 "up block " + type);
    config.upAttention.push_back(type == "CrossAttnUpBlock2D");
  }
  config.layersPerBlock =
      file.get<int64_t>("layers_per_block", config.layersPerBlock);
  // diffusers: num_attention_heads defaults to attention_head_dim, which
  // SD 1.x/2.x configs use to count heads.
  std::vector<int64_t> heads = file.perLevel("attention_head_dim", {8}, levels);
  config.heads = file.perLevel("num_attention_heads", heads, levels);
  config.crossAttentionDim =
      file.get<int64_t>("cross_attention_dim", config.crossAttentionDim);
  config.transformerLayers = file.get<int64_t>("transformer_layers_per_block",
                                               config.transformerLayers);
  config.useLinearProjection =
      file.get<bool>("use_linear_projection", config.useLinearProjection);
  config.normGroups = file.get<int64_t>("norm_num_groups", config.normGroups);
  config.normEps = file.get<double>("norm_eps", config.normEps);
  config.flipSinToCos = file.get<bool>("flip_sin_to_cos", config.flipSinToCos);
  config.freqShift = file.get<double>("freq_shift", config.freqShift);
  config.downsamplePadding =
      file.get<int64_t>("downsample_padding", config.downsamplePadding);
  file.require(
      file.get<std::string>("mid_block_type", "UNetMidBlock2DCrossAttn") ==
          "UNetMidBlock2DCrossAttn",
      "mid_block_type");
  file.require(file.get<std::string>("class_embed_type", "") == "" &&
                   file.get<std::string>("addition_embed_type", "") == "",
               "class or addition embeddings");
  file.require(file.get<std::string>("time_embedding_type", "positional") ==
                   "positional",
               "time_embedding_type");
  file.require(file.get<std::string>("resnet_time_scale_shift", "default") ==
                   "default",
               "resnet_time_scale_shift");
  file.require(file.get<int64_t>("conv_in_kernel", 3) == 3 &&
                   file.get<int64_t>("conv_out_kernel", 3) == 3,
               "conv_in/conv_out kernels other than 3");
  checkPositive(config.blockOutChannels,
                path.string() + ": block_out_channels");
  checkPositive(config.heads, path.string() + ": attention heads");
  checkPositive({config.inChannels, config.outChannels, config.layersPerBlock,
                 config.crossAttentionDim, config.transformerLayers,
                 config.normGroups},
                path.string() + ": sizes");
  return config;
}

VaeConfig readVae(const fs::path &path) {
  ConfigFile file(path);
  VaeConfig config;
  config.inChannels = file.get<int64_t>("in_channels", config.inChannels);
  config.outChannels = file.get<int64_t>("out_channels", config.outChannels);
  config.latentChannels =
      file.get<int64_t>("latent_channels", config.latentChannels);
  config.blockOutChannels = file.get<std::vector<int64_t>>(
      "block_out_channels", config.blockOutChannels);
  config.layersPerBlock =
      file.get<int64_t>("layers_per_block", config.layersPerBlock);
  config.normGroups = file.get<int64_t>("norm_num_groups", config.normGroups);
  config.midAttention = file.get<bool>("mid_block_add_attention", true);
  config.useQuantConv = file.get<bool>("use_quant_conv", true);
  config.usePostQuantConv = file.get<bool>("use_post_quant_conv", true);
  config.scalingFactor =
      file.get<double>("scaling_factor", config.scalingFactor);
  checkPositive(config.blockOutChannels,
                path.string() + ": block_out_channels");
  checkPositive({config.inChannels, config.outChannels, config.latentChannels,
                 config.layersPerBlock, config.normGroups},
                path.string() + ": sizes");
  return config;
}

// Looks up shapes of a single-file checkpoint by key.
class ShapeTable {
public:
  explicit ShapeTable(const std::map<std::string, std::vector<int64_t>> &shapes)
      : shapes(shapes) {}

  const std::vector<int64_t> &operator()(const std::string &key,
                                         size_t rank) const {
    auto it = shapes.find(key);
    if (it == shapes.end())
      fail("cannot infer the model configuration: the checkpoint has no '" +
           key + "' (is it an SD 1.x single file? pass --config <folder>)");
    if (it->second.size() != rank)
      fail("cannot infer the model configuration: '" + key +
           "' has an unexpected shape");
    return it->second;
  }
  bool has(const std::string &key) const { return shapes.count(key) != 0; }
  size_t rank(const std::string &key) const {
    auto it = shapes.find(key);
    return it == shapes.end() ? 0 : it->second.size();
  }

  // How many `prefix<N>.` blocks there are, counting N from 0.
  int64_t count(const std::string &prefix) const {
    int64_t n = 0;
    while (true) {
      const std::string start = prefix + std::to_string(n) + ".";
      auto it = shapes.lower_bound(start);
      if (it == shapes.end() || it->first.compare(0, start.size(), start) != 0)
        return n;
      ++n;
    }
  }

private:
  const std::map<std::string, std::vector<int64_t>> &shapes;
};

UNetConfig inferUNet(const ShapeTable &shape) {
  const std::string root = "model.diffusion_model.";
  UNetConfig config;
  config.inChannels = shape(root + "input_blocks.0.0.weight", 4)[1];
  config.outChannels = shape(root + "out.2.weight", 4)[0];
  config.blockOutChannels.clear();
  config.downAttention.clear();
  int64_t layers = 0;
  for (int64_t n = 1, inLevel = 0;; ++n) {
    const std::string block = root + "input_blocks." + std::to_string(n) + ".";
    if (shape.has(block + "0.op.weight")) {
      layers = std::max(layers, inLevel);
      inLevel = 0;
      continue;
    }
    if (!shape.has(block + "0.in_layers.2.weight")) {
      layers = std::max(layers, inLevel);
      break;
    }
    if (inLevel == 0) {
      config.blockOutChannels.push_back(
          shape(block + "0.in_layers.2.weight", 4)[0]);
      config.downAttention.push_back(shape.has(block + "1.proj_in.weight"));
    }
    ++inLevel;
  }
  if (config.blockOutChannels.empty() || layers == 0)
    fail("cannot infer the U-Net configuration from the checkpoint");
  config.layersPerBlock = layers;
  config.upAttention.assign(config.downAttention.rbegin(),
                            config.downAttention.rend());
  const std::string attention = root + "input_blocks.1.1.";
  config.crossAttentionDim =
      shape(attention + "transformer_blocks.0.attn2.to_k.weight", 2)[1];
  config.useLinearProjection = shape.rank(attention + "proj_in.weight") == 2;
  config.transformerLayers = shape.count(attention + "transformer_blocks.");
  config.heads.clear();
  // SD 2.x (1024-wide text context) uses 64 channels per head, SD 1.x 8 heads.
  for (int64_t channels : config.blockOutChannels)
    config.heads.push_back(config.crossAttentionDim == 1024 ? channels / 64
                                                            : 8);
  return config;
}

VaeConfig inferVae(const ShapeTable &shape) {
  const std::string root = "first_stage_model.";
  VaeConfig config;
  config.inChannels = shape(root + "encoder.conv_in.weight", 4)[1];
  config.outChannels = shape(root + "decoder.conv_out.weight", 4)[0];
  config.latentChannels = shape(root + "decoder.conv_in.weight", 4)[1];
  config.blockOutChannels.clear();
  const int64_t levels = shape.count(root + "encoder.down.");
  for (int64_t i = 0; i < levels; ++i)
    config.blockOutChannels.push_back(shape(
        root + "encoder.down." + std::to_string(i) + ".block.0.conv1.weight",
        4)[0]);
  config.layersPerBlock = shape.count(root + "encoder.down.0.block.");
  config.midAttention = shape.has(root + "encoder.mid.attn_1.q.weight");
  config.useQuantConv = shape.has(root + "quant_conv.weight");
  config.usePostQuantConv = shape.has(root + "post_quant_conv.weight");
  if (levels == 0 || config.layersPerBlock == 0)
    fail("cannot infer the VAE configuration from the checkpoint");
  return config;
}

TextEncoderConfig inferTextEncoder(const ShapeTable &shape,
                                   const std::string &root) {
  TextEncoderConfig config;
  const auto &tokens = shape(root + "embeddings.token_embedding.weight", 2);
  config.vocabSize = tokens[0];
  config.hiddenSize = tokens[1];
  config.maxPositions =
      shape(root + "embeddings.position_embedding.weight", 2)[0];
  config.layers = shape.count(root + "encoder.layers.");
  config.intermediateSize =
      shape(root + "encoder.layers.0.mlp.fc1.weight", 2)[0];
  if (config.layers == 0 || config.hiddenSize % 64 != 0)
    fail("cannot infer the text encoder configuration from the checkpoint "
         "(CLIP uses 64 channels per head; this one has " +
         std::to_string(config.hiddenSize) +
         " channels): pass --config <diffusers folder>");
  config.heads = config.hiddenSize / 64;
  return config;
}

// The rules the graphs rely on, checked before any graph is built so that a
// hostile or unusual configuration is an error message, not a broken graph.
void validate(const ModelConfig &config) {
  auto require = [](bool condition, const std::string &what) {
    if (!condition)
      fail("unsupported model configuration: " + what);
  };
  const TextEncoderConfig &text = config.textEncoder;
  require(text.heads > 0 && text.hiddenSize % text.heads == 0,
          "text encoder hidden size must be divisible by its heads");
  const UNetConfig &unet = config.unet;
  const size_t levels = unet.blockOutChannels.size();
  require(levels > 0 && unet.downAttention.size() == levels &&
              unet.upAttention.size() == levels && unet.heads.size() == levels,
          "U-Net level lists must have one entry per level");
  require(unet.blockOutChannels.front() >= 2 &&
              unet.freqShift != double(unet.blockOutChannels.front() / 2),
          "U-Net time embedding size");
  for (size_t i = 0; i < levels; ++i) {
    const int64_t channels = unet.blockOutChannels[i];
    require(channels % unet.normGroups == 0,
            "U-Net channels " + std::to_string(channels) +
                " must be divisible by norm_num_groups");
    require(unet.heads[i] > 0 && channels % unet.heads[i] == 0,
            "U-Net channels " + std::to_string(channels) +
                " must be divisible by the heads of their level");
  }
  const VaeConfig &vae = config.vae;
  require(!vae.blockOutChannels.empty(), "VAE needs at least one level");
  for (int64_t channels : vae.blockOutChannels)
    require(channels % vae.normGroups == 0,
            "VAE channels must be divisible by norm_num_groups");
}

} // namespace

ModelConfig readDiffusersConfig(const fs::path &folder) {
  ModelConfig config;
  config.textEncoder = readTextEncoder(folder / "text_encoder" / "config.json");
  config.unet = readUNet(folder / "unet" / "config.json");
  config.vae = readVae(folder / "vae" / "config.json");
  validate(config);
  return config;
}

ModelConfig
inferLdmConfig(const std::map<std::string, std::vector<int64_t>> &shapes) {
  ShapeTable shape(shapes);
  ModelConfig config;
  config.unet = inferUNet(shape);
  config.vae = inferVae(shape);
  const bool textModelLevel =
      shape.has("cond_stage_model.transformer.text_model.embeddings."
                "token_embedding.weight");
  config.textEncoder = inferTextEncoder(
      shape, textModelLevel ? "cond_stage_model.transformer.text_model."
                            : "cond_stage_model.transformer.");
  validate(config);
  return config;
}

} // namespace avila::models
