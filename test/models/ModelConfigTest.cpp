//===- ModelConfigTest.cpp - Reading and rejecting model configurations ---===//

#include "models/config/ModelConfig.h"
#include "runtime/base/Error.h"

#include <gtest/gtest.h>

#include <fstream>

namespace avila::models {
namespace {

namespace fs = std::filesystem;

const std::string kShared = AVILA_SHARED_DIR;

// A diffusers folder made of the tiny-sd configs with one file replaced.
class ConfigFolder : public ::testing::Test {
protected:
  void SetUp() override {
    folder = fs::temp_directory_path() /
             ("avila-config-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (const char *component : {"text_encoder", "unet", "vae"}) {
      fs::create_directories(folder / component);
      fs::copy_file(fs::path(kShared) / "golden/tiny-sd/diffusers-fp16" /
                        component / "config.json",
                    folder / component / "config.json");
    }
  }
  void TearDown() override { fs::remove_all(folder); }

  void write(const char *component, const std::string &text) {
    std::ofstream(folder / component / "config.json") << text;
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
  EXPECT_NE(error().find("field 'block_out_channels' has the wrong type"),
            std::string::npos);
  write("unet", R"({"down_block_types": ["SimpleCrossAttnDownBlock2D"]})");
  EXPECT_NE(error().find("unsupported setting"), std::string::npos);
  write("unet", "{ not json");
  EXPECT_NE(error().find("is not a JSON object"), std::string::npos);
  write("unet", R"({"block_out_channels": [-32, 64, 64, 64]})");
  EXPECT_NE(error().find("must be positive"), std::string::npos);
}

TEST_F(ConfigFolder, RejectsAMissingFile) {
  fs::remove(folder / "vae" / "config.json");
  EXPECT_NE(error().find("cannot read"), std::string::npos);
}

} // namespace
} // namespace avila::models
