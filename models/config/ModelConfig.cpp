//===- ModelConfig.cpp - Configuration of the SD 1.x networks -------------===//

#include "models/config/ModelConfig.h"
#include "runtime/base/Error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <sstream>

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

// A JSON value for a message: hostile files can hold megabytes in one field.
std::string shown(const json &value) {
  std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

// The fields of one config file, type-checked as they are read: absent
// fields take their default; a present field must have the field's type.
// Strings and per-level lists may be null (diffusers writes its None
// defaults so); numbers and flags may not.
class ConfigFile {
public:
  explicit ConfigFile(const fs::path &path)
      : path(path), value(readJson(path)) {}

  int64_t integer(const char *key, int64_t fallback) const {
    const json *field = find(key);
    return field ? asInteger(*field, key) : fallback;
  }
  double number(const char *key, double fallback) const {
    return scalar(key, fallback, &json::is_number, "a number");
  }
  bool flag(const char *key, bool fallback) const {
    return scalar(key, fallback, &json::is_boolean, "true or false");
  }
  std::string text(const char *key, const std::string &fallback) const {
    return scalar(key, fallback, &json::is_string, "a string",
                  /*nullable=*/true);
  }
  std::vector<int64_t> integers(const char *key,
                                std::vector<int64_t> fallback) const {
    const json *field = find(key);
    if (!field)
      return fallback;
    if (!field->is_array())
      wrongType(key, "a list of integers", *field);
    std::vector<int64_t> values;
    for (const json &element : *field)
      values.push_back(asInteger(element, key));
    return values;
  }
  std::vector<std::string> texts(const char *key,
                                 std::vector<std::string> fallback) const {
    const json *field = find(key);
    if (!field)
      return fallback;
    if (!field->is_array())
      wrongType(key, "a list of strings", *field);
    std::vector<std::string> values;
    for (const json &element : *field) {
      if (!element.is_string())
        wrongType(key, "a list of strings", *field);
      values.push_back(element.get<std::string>());
    }
    return values;
  }

  // A field that may be one integer or one integer per level.
  std::vector<int64_t> perLevel(const char *key, std::vector<int64_t> fallback,
                                size_t levels) const {
    const json *field = find(key);
    if (!field || field->is_null())
      return fallback;
    if (!field->is_array())
      return std::vector<int64_t>(levels, asInteger(*field, key));
    std::vector<int64_t> values = integers(key, {});
    if (values.size() != levels)
      fail(path.string() + ": field '" + key + "' has " +
           std::to_string(values.size()) + " values; it needs one per level (" +
           std::to_string(levels) + ")");
    return values;
  }

  void require(bool condition, const std::string &what) const {
    if (!condition)
      fail(path.string() + ": unsupported setting: " + what);
  }

  fs::path path;
  json value;

private:
  const json *find(const char *key) const {
    auto it = value.find(key);
    return it == value.end() ? nullptr : &*it;
  }
  // A field of the JSON type `isType` accepts.
  template <typename T>
  T scalar(const char *key, T fallback, bool (json::*isType)() const noexcept,
           const char *expected, bool nullable = false) const {
    const json *field = find(key);
    if (!field || (nullable && field->is_null()))
      return fallback;
    if (!(field->*isType)())
      wrongType(key, expected, *field);
    return field->get<T>();
  }
  int64_t asInteger(const json &field, const char *key) const {
    if (!field.is_number_integer())
      wrongType(key, "an integer", field);
    if (field.is_number_unsigned() &&
        field.get<uint64_t>() > uint64_t(INT64_MAX))
      fail(path.string() + ": field '" + key +
           "' is out of range: " + shown(field));
    return field.get<int64_t>();
  }
  [[noreturn]] void wrongType(const char *key, const char *expected,
                              const json &field) const {
    fail(path.string() + ": field '" + key + "' must be " + expected +
         ", not " + shown(field));
  }
};

// Bounds well above any SD 1.x/2.x-class model (SD 1.5: 1280 channels,
// 2 layers per block, 8 heads per level; its CLIP: 12 layers, 49408 tokens)
// and finite, so that a hostile configuration cannot ask for a graph of
// millions of ops or weights of terabytes.
constexpr int64_t kMaxChannels = 8192;
constexpr int64_t kMaxLevels = 8;
constexpr int64_t kMaxLayersPerBlock = 16;
constexpr int64_t kMaxTransformerLayers = 16;
constexpr int64_t kMaxHeads = 256;
constexpr int64_t kMaxNormGroups = 1024;
constexpr int64_t kMaxTextLayers = 64;
constexpr int64_t kMaxVocabulary = 1000000;
constexpr int64_t kMaxPositions = 4096;
constexpr double kMaxEpsilon = 1.0;
constexpr double kMaxScale = 1000.0;
constexpr double kMaxFrequencyShift = 1e6;

// Checks the values of one component's configuration. `source` says where
// they came from (a config.json, or a checkpoint's tensor shapes); fields are
// named as diffusers spells them.
class FieldChecker {
public:
  explicit FieldChecker(std::string source) : source(std::move(source)) {}

  void range(const std::string &field, int64_t value, int64_t min,
             int64_t max) const {
    if (value < min)
      fail(source + ": " + field + " is " + std::to_string(value) +
           "; it must be at least " + std::to_string(min));
    if (value > max)
      fail(source + ": " + field + " is " + std::to_string(value) +
           "; the limit is " + std::to_string(max));
  }
  void range(const std::string &field, const std::vector<int64_t> &values,
             int64_t min, int64_t max) const {
    for (size_t i = 0; i < values.size(); ++i)
      range(field + "[" + std::to_string(i) + "]", values[i], min, max);
  }
  void levels(const std::string &field, size_t count) const {
    if (count == 0 || count > size_t(kMaxLevels))
      fail(source + ": " + field + " has " + std::to_string(count) +
           " levels; it must have 1 to " + std::to_string(kMaxLevels));
  }
  // Finite and within [min, max] (or (0, max] when `min` is 0: epsilons and
  // scales are positive).
  void real(const std::string &field, double value, double min,
            double max) const {
    const bool inRange =
        min == 0 ? value > 0 && value <= max : value >= min && value <= max;
    if (!std::isfinite(value) || !inRange) {
      std::ostringstream message;
      message << source << ": " << field << " is " << value << "; it must be ";
      if (min == 0)
        message << "positive";
      else
        message << "at least " << min;
      message << " and at most " << max;
      fail(message.str());
    }
  }
  void require(bool condition, const std::string &what) const {
    if (!condition)
      fail(source + ": " + what);
  }

private:
  std::string source;
};

std::string str(int64_t value) { return std::to_string(value); }

void validateTextEncoder(const TextEncoderConfig &config,
                         const FieldChecker &check) {
  check.range("vocab_size", config.vocabSize, 1, kMaxVocabulary);
  check.range("hidden_size", config.hiddenSize, 1, kMaxChannels);
  check.range("intermediate_size", config.intermediateSize, 1,
              4 * kMaxChannels);
  check.range("num_hidden_layers", config.layers, 1, kMaxTextLayers);
  check.range("num_attention_heads", config.heads, 1, kMaxHeads);
  check.range("max_position_embeddings", config.maxPositions, 1, kMaxPositions);
  check.real("layer_norm_eps", config.layerNormEps, 0, kMaxEpsilon);
  check.require(config.hiddenSize % config.heads == 0,
                "hidden_size " + str(config.hiddenSize) +
                    " must be divisible by num_attention_heads " +
                    str(config.heads));
}

void validateUNet(const UNetConfig &config, const FieldChecker &check) {
  const std::vector<int64_t> &channels = config.blockOutChannels;
  check.levels("block_out_channels", channels.size());
  check.range("block_out_channels", channels, 1, kMaxChannels);
  check.require(config.downAttention.size() == channels.size() &&
                    config.upAttention.size() == channels.size(),
                "down_block_types and up_block_types need one entry per "
                "level (" +
                    str(channels.size()) + ")");
  check.require(config.heads.size() == channels.size(),
                "attention heads need one value per level");
  check.range("in_channels", config.inChannels, 1, kMaxChannels);
  check.range("out_channels", config.outChannels, 1, kMaxChannels);
  check.range("layers_per_block", config.layersPerBlock, 1, kMaxLayersPerBlock);
  check.range("attention heads (num_attention_heads/attention_head_dim)",
              config.heads, 1, kMaxHeads);
  check.range("cross_attention_dim", config.crossAttentionDim, 1, kMaxChannels);
  check.range("transformer_layers_per_block", config.transformerLayers, 1,
              kMaxTransformerLayers);
  check.range("norm_num_groups", config.normGroups, 1, kMaxNormGroups);
  check.real("norm_eps", config.normEps, 0, kMaxEpsilon);
  check.real("freq_shift", config.freqShift, -kMaxFrequencyShift,
             kMaxFrequencyShift);
  // diffusers pads a downsampler of padding 0 asymmetrically (0, 1, 0, 1);
  // the graph pads symmetrically, as every SD 1.x/2.x model (padding 1) needs.
  check.require(config.downsamplePadding == 1,
                "unsupported setting: downsample_padding " +
                    str(config.downsamplePadding) + " (only 1 is supported)");
  // The time embedding's sinusoids divide by block_out_channels[0] / 2 -
  // freq_shift.
  check.require(channels.front() >= 2 &&
                    config.freqShift != double(channels.front() / 2),
                "block_out_channels[0] " + str(channels.front()) +
                    " is too small for the time embedding, or freq_shift "
                    "equals its half");
  for (size_t i = 0; i < channels.size(); ++i) {
    check.require(channels[i] % config.normGroups == 0,
                  "U-Net channels " + str(channels[i]) +
                      " must be divisible by norm_num_groups " +
                      str(config.normGroups));
    check.require(channels[i] % config.heads[i] == 0,
                  "U-Net channels " + str(channels[i]) +
                      " must be divisible by the heads of their level (" +
                      str(config.heads[i]) + ")");
  }
}

void validateVae(const VaeConfig &config, const FieldChecker &check) {
  check.levels("block_out_channels", config.blockOutChannels.size());
  check.range("block_out_channels", config.blockOutChannels, 1, kMaxChannels);
  check.range("in_channels", config.inChannels, 1, kMaxChannels);
  check.range("out_channels", config.outChannels, 1, kMaxChannels);
  check.range("latent_channels", config.latentChannels, 1, kMaxChannels);
  check.range("layers_per_block", config.layersPerBlock, 1, kMaxLayersPerBlock);
  check.range("norm_num_groups", config.normGroups, 1, kMaxNormGroups);
  check.real("scaling_factor", config.scalingFactor, 0, kMaxScale);
  for (int64_t channels : config.blockOutChannels)
    check.require(channels % config.normGroups == 0,
                  "VAE channels " + str(channels) +
                      " must be divisible by norm_num_groups " +
                      str(config.normGroups));
}

// Where each component's values came from, for messages.
struct Sources {
  std::string textEncoder, unet, vae;
};

// The rules the graphs rely on, checked before any graph is built so that a
// hostile or unusual configuration is an error message, not a broken graph.
void validate(const ModelConfig &config, const Sources &from) {
  validateTextEncoder(config.textEncoder, FieldChecker(from.textEncoder));
  validateUNet(config.unet, FieldChecker(from.unet));
  validateVae(config.vae, FieldChecker(from.vae));
  FieldChecker(from.unet).require(
      config.unet.crossAttentionDim == config.textEncoder.hiddenSize,
      "cross_attention_dim " + str(config.unet.crossAttentionDim) +
          " must equal the text encoder's hidden_size " +
          str(config.textEncoder.hiddenSize) +
          " (the U-Net attends to its output)");
}

TextEncoderConfig readTextEncoder(const ConfigFile &file) {
  TextEncoderConfig config;
  config.vocabSize = file.integer("vocab_size", config.vocabSize);
  config.hiddenSize = file.integer("hidden_size", config.hiddenSize);
  config.intermediateSize =
      file.integer("intermediate_size", config.intermediateSize);
  config.layers = file.integer("num_hidden_layers", config.layers);
  config.heads = file.integer("num_attention_heads", config.heads);
  config.maxPositions =
      file.integer("max_position_embeddings", config.maxPositions);
  config.layerNormEps = file.number("layer_norm_eps", config.layerNormEps);
  const std::string activation = file.text("hidden_act", "quick_gelu");
  file.require(activation == "quick_gelu" || activation == "gelu",
               "hidden_act " + activation);
  config.quickGelu = activation == "quick_gelu";
  return config;
}

UNetConfig readUNet(const ConfigFile &file) {
  UNetConfig config;
  config.inChannels = file.integer("in_channels", config.inChannels);
  config.outChannels = file.integer("out_channels", config.outChannels);
  config.blockOutChannels =
      file.integers("block_out_channels", config.blockOutChannels);
  const size_t levels = config.blockOutChannels.size();
  auto downTypes = file.texts("down_block_types",
                              {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                               "CrossAttnDownBlock2D", "DownBlock2D"});
  auto upTypes = file.texts("up_block_types",
                            {"UpBlock2D", "CrossAttnUpBlock2D",
                             "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"});
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
      file.integer("layers_per_block", config.layersPerBlock);
  // diffusers: num_attention_heads defaults to attention_head_dim, which
  // SD 1.x/2.x configs use to count heads.
  std::vector<int64_t> heads = file.perLevel("attention_head_dim", {8}, levels);
  config.heads = file.perLevel("num_attention_heads", heads, levels);
  config.crossAttentionDim =
      file.integer("cross_attention_dim", config.crossAttentionDim);
  config.transformerLayers =
      file.integer("transformer_layers_per_block", config.transformerLayers);
  config.useLinearProjection =
      file.flag("use_linear_projection", config.useLinearProjection);
  config.normGroups = file.integer("norm_num_groups", config.normGroups);
  config.normEps = file.number("norm_eps", config.normEps);
  config.flipSinToCos = file.flag("flip_sin_to_cos", config.flipSinToCos);
  config.freqShift = file.number("freq_shift", config.freqShift);
  config.downsamplePadding =
      file.integer("downsample_padding", config.downsamplePadding);
  file.require(file.text("mid_block_type", "UNetMidBlock2DCrossAttn") ==
                   "UNetMidBlock2DCrossAttn",
               "mid_block_type");
  file.require(file.text("class_embed_type", "") == "" &&
                   file.text("addition_embed_type", "") == "",
               "class or addition embeddings");
  file.require(file.text("time_embedding_type", "positional") == "positional",
               "time_embedding_type");
  file.require(file.text("resnet_time_scale_shift", "default") == "default",
               "resnet_time_scale_shift");
  file.require(file.integer("conv_in_kernel", 3) == 3 &&
                   file.integer("conv_out_kernel", 3) == 3,
               "conv_in/conv_out kernels other than 3");
  return config;
}

VaeConfig readVae(const ConfigFile &file) {
  VaeConfig config;
  config.inChannels = file.integer("in_channels", config.inChannels);
  config.outChannels = file.integer("out_channels", config.outChannels);
  config.latentChannels =
      file.integer("latent_channels", config.latentChannels);
  config.blockOutChannels =
      file.integers("block_out_channels", config.blockOutChannels);
  config.layersPerBlock =
      file.integer("layers_per_block", config.layersPerBlock);
  config.normGroups = file.integer("norm_num_groups", config.normGroups);
  config.midAttention = file.flag("mid_block_add_attention", true);
  config.useQuantConv = file.flag("use_quant_conv", true);
  config.usePostQuantConv = file.flag("use_post_quant_conv", true);
  config.scalingFactor = file.number("scaling_factor", config.scalingFactor);
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

} // namespace

fs::path diffusersFolder(const fs::path &path) {
  std::error_code error;
  if (fs::is_directory(path, error)) {
    if (!fs::exists(path / "unet" / "config.json", error))
      fail(path.string() + " is a folder but not a diffusers model (it has no "
                           "unet/config.json)");
    return path;
  }
  if (!fs::exists(path, error))
    fail("no such file or folder: " + path.string());
  const fs::path parent = path.parent_path();
  if (path.filename() == "model_index.json")
    return parent.empty() ? "." : parent;
  if (path.filename() == "config.json" && !parent.empty())
    return parent.parent_path().empty() ? "." : parent.parent_path();
  fail(path.string() +
       " is not a diffusers folder, its model_index.json or a component's "
       "config.json");
}

ModelConfig readDiffusersConfig(const fs::path &path) {
  const fs::path folder = diffusersFolder(path);
  const ConfigFile textEncoder(folder / "text_encoder" / "config.json");
  const ConfigFile unet(folder / "unet" / "config.json");
  const ConfigFile vae(folder / "vae" / "config.json");
  ModelConfig config;
  config.textEncoder = readTextEncoder(textEncoder);
  config.unet = readUNet(unet);
  config.vae = readVae(vae);
  validate(config,
           {textEncoder.path.string(), unet.path.string(), vae.path.string()});
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
  const std::string inferred = " (inferred from the checkpoint's shapes)";
  validate(config,
           {"text encoder" + inferred, "U-Net" + inferred, "VAE" + inferred});
  return config;
}

} // namespace avila::models
