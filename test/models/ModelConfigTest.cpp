//===- ModelConfigTest.cpp - Reading and rejecting model configurations ---===//

#include "models/config/ModelConfig.h"
#include "runtime/base/Error.h"
#include "runtime/weights/Checkpoint.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace avila::models {
namespace {

namespace fs = std::filesystem;

const std::string kShared = AVILA_SHARED_DIR;
const fs::path kTiny = fs::path(kShared) / "golden/tiny-sd/diffusers-fp16";

// A diffusers folder made of the tiny-sd configs with one file replaced.
class ConfigFolder : public ::testing::Test {
protected:
  void SetUp() override {
    folder = fs::temp_directory_path() /
             ("avila-config-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (const char *component : {"text_encoder", "unet", "vae"})
      fs::create_directories(folder / component);
    restore();
  }

  // The tiny-sd configs, unchanged.
  void restore() {
    for (const char *component : {"text_encoder", "unet", "vae"})
      fs::copy_file(kTiny / component / "config.json",
                    folder / component / "config.json",
                    fs::copy_options::overwrite_existing);
  }
  void TearDown() override { fs::remove_all(folder); }

  void write(const char *component, const std::string &text) {
    std::ofstream(folder / component / "config.json") << text;
  }

  // The tiny-sd configs with `field` of `component` set to `value` (JSON).
  void set(const char *component, const char *field, const std::string &value) {
    restore();
    nlohmann::json config =
        nlohmann::json::parse(std::ifstream(kTiny / component / "config.json"));
    config[field] = nlohmann::json::parse(value);
    write(component, config.dump());
  }

  // The error for `component`'s config with `field` set to `value`, which
  // must name the file and contain `message`.
  void expectError(const char *component, const char *field,
                   const std::string &value, const std::string &message) {
    set(component, field, value);
    const std::string got = error();
    const std::string file = (folder / component / "config.json").string();
    EXPECT_NE(got.find(file + ": "), std::string::npos)
        << field << " = " << value << ": " << got;
    EXPECT_NE(got.find(message), std::string::npos)
        << field << " = " << value << ": expected '" << message
        << "', got: " << got;
  }

  std::string error() {
    try {
      readDiffusersConfig(folder);
    } catch (const Error &e) {
      return e.what();
    }
    return "";
  }

  fs::path folder;
};

TEST_F(ConfigFolder, ReadsTheTinyModel) {
  ModelConfig config = readDiffusersConfig(folder);
  EXPECT_EQ(config.unet.blockOutChannels,
            (std::vector<int64_t>{32, 64, 64, 64}));
  EXPECT_EQ(config.unet.heads, (std::vector<int64_t>{8, 8, 8, 8}));
  EXPECT_EQ(config.unet.crossAttentionDim, 32);
  EXPECT_EQ(config.textEncoder.heads, 4);
  EXPECT_EQ(config.textEncoder.layers, 2);
  EXPECT_TRUE(config.textEncoder.quickGelu);
  EXPECT_EQ(config.vae.blockOutChannels,
            (std::vector<int64_t>{32, 64, 64, 64}));
}

TEST_F(ConfigFolder, RejectsWhatTheGraphsCannotBuild) {
  write("unet", R"({"block_out_channels": [32, 48], "down_block_types":
      ["CrossAttnDownBlock2D", "DownBlock2D"], "up_block_types":
      ["UpBlock2D", "CrossAttnUpBlock2D"], "attention_head_dim": 8})");
  EXPECT_NE(
      error().find("U-Net channels 48 must be divisible by norm_num_groups"),
      std::string::npos)
      << error();
  write("unet", R"({"block_out_channels": "wide"})");
  EXPECT_NE(error().find("field 'block_out_channels' must be a list of "
                         "integers, not \"wide\""),
            std::string::npos)
      << error();
  write("unet", R"({"down_block_types": ["SimpleCrossAttnDownBlock2D"]})");
  EXPECT_NE(error().find("unsupported setting"), std::string::npos);
  write("unet", "{ not json");
  EXPECT_NE(error().find("is not a JSON object"), std::string::npos);
  write("unet", R"({"block_out_channels": [-32, 64, 64, 64]})");
  EXPECT_NE(error().find("block_out_channels[0] is -32; it must be at least 1"),
            std::string::npos)
      << error();
}

TEST_F(ConfigFolder, IntegersMustBeIntegers) {
  for (const char *value : {"32.5", "\"32\"", "true", "null"})
    expectError("unet", "layers_per_block", value,
                "field 'layers_per_block' must be an integer, not " +
                    std::string(value));
  expectError("unet", "block_out_channels", "[32, 64, 64.5, 64]",
              "field 'block_out_channels' must be an integer, not 64.5");
  expectError("unet", "block_out_channels", "32",
              "field 'block_out_channels' must be a list of integers, not 32");
  expectError("text_encoder", "vocab_size", "18446744073709551615",
              "field 'vocab_size' is out of range");
  expectError("unet", "attention_head_dim", "[8, 8, true, 8]",
              "field 'attention_head_dim' must be an integer, not true");
  expectError("vae", "use_quant_conv", "1",
              "field 'use_quant_conv' must be true or false, not 1");
  expectError("vae", "scaling_factor", "\"0.18\"",
              "field 'scaling_factor' must be a number");
  expectError("text_encoder", "hidden_act", "7",
              "field 'hidden_act' must be a string");
  // diffusers writes its None defaults as null: per-level heads may be null.
  set("unet", "num_attention_heads", "null");
  EXPECT_EQ(error(), "");
}

TEST_F(ConfigFolder, BoundsEveryField) {
  expectError("unet", "layers_per_block", "100000",
              "layers_per_block is 100000; the limit is 16");
  expectError("unet", "layers_per_block", "0",
              "layers_per_block is 0; it must be at least 1");
  expectError("unet", "block_out_channels", "[32, 64, 64, 16384]",
              "block_out_channels[3] is 16384; the limit is 8192");
  expectError("unet", "block_out_channels", "[]",
              "block_out_channels has 0 levels; it must have 1 to 8");
  expectError("unet", "attention_head_dim", "512", "the limit is 256");
  expectError("unet", "transformer_layers_per_block", "17",
              "transformer_layers_per_block is 17; the limit is 16");
  expectError("unet", "in_channels", "-4",
              "in_channels is -4; it must be at least 1");
  expectError("unet", "norm_num_groups", "2048",
              "norm_num_groups is 2048; the limit is 1024");
  expectError("unet", "norm_eps", "0", "norm_eps is 0; it must be positive");
  expectError(
      "unet", "freq_shift", "1e300",
      "freq_shift is 1e+300; it must be at least -1e+06 and at most 1e+06");
  expectError("unet", "downsample_padding", "0",
              "downsample_padding 0 (only 1 is supported)");
  expectError("text_encoder", "vocab_size", "2000000",
              "vocab_size is 2000000; the limit is 1000000");
  expectError("text_encoder", "num_hidden_layers", "65",
              "num_hidden_layers is 65; the limit is 64");
  expectError("text_encoder", "max_position_embeddings", "100000",
              "max_position_embeddings is 100000; the limit is 4096");
  expectError("text_encoder", "intermediate_size", "0",
              "intermediate_size is 0; it must be at least 1");
  expectError("vae", "latent_channels", "9000",
              "latent_channels is 9000; the limit is 8192");
  expectError("vae", "layers_per_block", "17",
              "layers_per_block is 17; the limit is 16");
  expectError("vae", "scaling_factor", "-1",
              "scaling_factor is -1; it must be positive");
  expectError("vae", "block_out_channels",
              "[32, 32, 32, 32, 32, 32, 32, 32, 32]",
              "block_out_channels has 9 levels; it must have 1 to 8");
}

TEST_F(ConfigFolder, ChecksWhatTheGraphsDivide) {
  expectError("text_encoder", "num_attention_heads", "5",
              "hidden_size 32 must be divisible by num_attention_heads 5");
  expectError("unet", "norm_num_groups", "24",
              "U-Net channels 32 must be divisible by norm_num_groups 24");
  expectError("unet", "attention_head_dim", "[8, 8, 8, 6]",
              "U-Net channels 64 must be divisible by the heads of their "
              "level (6)");
  expectError("vae", "norm_num_groups", "64",
              "VAE channels 32 must be divisible by norm_num_groups 64");
  expectError("unet", "cross_attention_dim", "48",
              "cross_attention_dim 48 must equal the text encoder's "
              "hidden_size 32");
}

TEST_F(ConfigFolder, ListsHaveOneEntryPerLevel) {
  expectError("unet", "attention_head_dim", "[8, 8, 8]",
              "field 'attention_head_dim' has 3 values; it needs one per "
              "level (4)");
  expectError("unet", "down_block_types",
              R"(["CrossAttnDownBlock2D", "DownBlock2D"])",
              "down_block_types and up_block_types need one entry per level "
              "(4)");
}

TEST_F(ConfigFolder, AcceptsTheFolderItsIndexOrAComponentConfig) {
  std::ofstream(folder / "model_index.json") << "{}";
  EXPECT_EQ(diffusersFolder(folder / "model_index.json"), folder);
  EXPECT_EQ(diffusersFolder(folder / "unet" / "config.json"), folder);
  EXPECT_EQ(readDiffusersConfig(folder / "unet" / "config.json").unet.heads,
            (std::vector<int64_t>{8, 8, 8, 8}));
  try {
    diffusersFolder(folder / "nothing");
    ADD_FAILURE() << "a missing path was accepted";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("no such file or folder: " +
                                         (folder / "nothing").string()),
              std::string::npos)
        << e.what();
  }
}

// A single file's inferred values are bounded as a config's are.
TEST(InferredConfig, IsBoundedAsAConfigFile) {
  auto shapes =
      Checkpoint(kShared + "/golden/tiny-sd/tiny-sd-ldm-fp16.safetensors")
          .singleFileShapes();
  auto errorOf = [](const std::map<std::string, std::vector<int64_t>> &s) {
    try {
      inferLdmConfig(s);
    } catch (const Error &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  // The tiny text encoder's 32 channels cannot be inferred; 64 can.
  const std::string text = "cond_stage_model.transformer.text_model.";
  shapes[text + "embeddings.token_embedding.weight"] = {49408, 64};
  auto deep = shapes;
  const std::string vae = "first_stage_model.encoder.down.0.block.";
  for (int i = 2; i <= 20; ++i)
    deep[vae + std::to_string(i) + ".conv1.weight"] = {32, 32, 3, 3};
  EXPECT_NE(errorOf(deep).find("VAE (inferred from the checkpoint's shapes): "
                               "layers_per_block is 21; the limit is 16"),
            std::string::npos)
      << errorOf(deep);
  auto wide = shapes;
  wide[text + "embeddings.token_embedding.weight"] = {2000000, 64};
  EXPECT_NE(errorOf(wide).find("text encoder (inferred from the checkpoint's "
                               "shapes): vocab_size is 2000000"),
            std::string::npos)
      << errorOf(wide);
}

TEST_F(ConfigFolder, RejectsAMissingFile) {
  fs::remove(folder / "vae" / "config.json");
  EXPECT_NE(error().find("cannot read"), std::string::npos);
}

} // namespace
} // namespace avila::models
