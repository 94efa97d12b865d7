//===- CheckpointTest.cpp - Checkpoints in both layouts -------------------===//

#include "runtime/weights/Checkpoint.h"
#include "runtime/base/Error.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace avila {
namespace {

namespace fs = std::filesystem;

const fs::path kTinySd = fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd";

template <typename F> std::string errorOf(F &&action) {
  try {
    action();
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

// Writes F32 tensors, each filled with its index, as a safetensors file.
void writeTensors(const fs::path &path,
                  const std::map<std::string, std::vector<int64_t>> &tensors) {
  std::string header = "{", data;
  for (const auto &[name, shape] : tensors) {
    int64_t count = 1;
    std::string shapeText;
    for (int64_t dim : shape) {
      count *= dim;
      shapeText += (shapeText.empty() ? "" : ",") + std::to_string(dim);
    }
    header += (header.size() > 1 ? "," : "") + std::string("\"") + name +
              "\":{\"dtype\":\"F32\",\"shape\":[" + shapeText +
              "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + 4 * count) + "]}";
    for (int64_t i = 0; i < count; ++i) {
      const float value = static_cast<float>(i);
      data.append(reinterpret_cast<const char *>(&value), 4);
    }
  }
  header += "}";
  const uint64_t length = header.size();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char *>(&length), 8);
  out << header << data;
}

class TempFolder : public ::testing::Test {
protected:
  void SetUp() override {
    root = fs::temp_directory_path() /
           ("avila-checkpoint-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root);
  }
  void TearDown() override { fs::remove_all(root); }
  fs::path root;
};

TEST(Checkpoint, ReadsASingleFileThroughTheKeyTranslator) {
  Checkpoint checkpoint(kTinySd / "tiny-sd-ldm-fp16.safetensors");
  EXPECT_EQ(checkpoint.layout(), Checkpoint::Layout::SingleFile);
  auto shapes = checkpoint.singleFileShapes();
  EXPECT_EQ(shapes.at("model.diffusion_model.input_blocks.0.0.weight"),
            (std::vector<int64_t>{32, 4, 3, 3}));
  checkpoint.setKeyTranslator([](Component, const std::string &name) {
    return name == "conv_in.weight"
               ? "model.diffusion_model.input_blocks.0.0.weight"
               : "model.diffusion_model." + name;
  });
  EXPECT_EQ(
      checkpoint.readWeight(Component::UNet, "conv_in.weight", {32, 4, 3, 3})
          .size(),
      32u * 4 * 9);
  EXPECT_NE(errorOf([&] {
              checkpoint.readWeight(Component::UNet, "nothing.weight", {1});
            })
                .find("has no unet tensor 'nothing.weight' (key "
                      "'model.diffusion_model.nothing.weight')"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              checkpoint.readWeight(Component::UNet, "conv_in.weight",
                                    {32, 4, 3, 1});
            }).find("unet tensor 'conv_in.weight' has shape [32, 4, 3, 3] in "),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              checkpoint.readWeight(Component::UNet, "conv_in.weight",
                                    {32, 4, 3, 1});
            }).find("but the model expects [32, 4, 3, 1]"),
            std::string::npos);
}

TEST(Checkpoint, ReadsADiffusersFolder) {
  Checkpoint checkpoint(kTinySd / "diffusers-fp16");
  EXPECT_EQ(checkpoint.layout(), Checkpoint::Layout::Diffusers);
  EXPECT_NE(checkpoint.find(Component::Vae,
                            "decoder.mid_block.attentions.0.to_q.weight"),
            nullptr);
  EXPECT_NE(checkpoint.find(Component::TextEncoder,
                            "text_model.final_layer_norm.weight"),
            nullptr);
}

TEST_F(TempFolder, FindsLegacyVaeAttentionNamesAndFp16Variants) {
  fs::create_directories(root / "vae");
  fs::create_directories(root / "unet");
  writeTensors(root / "vae" / "diffusion_pytorch_model.safetensors",
               {{"decoder.mid_block.attentions.0.query.weight", {2, 2}},
                {"decoder.mid_block.attentions.0.proj_attn.bias", {2}}});
  writeTensors(root / "unet" / "diffusion_pytorch_model.fp16.safetensors",
               {{"conv_in.weight", {2, 1, 1, 1}}});
  Checkpoint checkpoint(root);
  EXPECT_EQ(checkpoint.readWeight(Component::Vae,
                                  "decoder.mid_block.attentions.0.to_q.weight",
                                  {2, 2}),
            (std::vector<float>{0, 1, 2, 3}));
  EXPECT_NE(checkpoint.find(Component::Vae,
                            "decoder.mid_block.attentions.0.to_out.0.bias"),
            nullptr);
  // A 1x1 conv weight serves a linear layer of the same values.
  EXPECT_EQ(checkpoint.readWeight(Component::UNet, "conv_in.weight", {2, 1}),
            (std::vector<float>{0, 1}));
  EXPECT_NE(errorOf([&] {
              checkpoint.readWeight(Component::TextEncoder, "x", {1});
            }).find("has no text_encoder weights"),
            std::string::npos);
}

TEST_F(TempFolder, RefusesPickleCheckpoints) {
  std::ofstream(root / "model.ckpt") << "PK";
  EXPECT_NE(errorOf([&] { Checkpoint checkpoint(root / "model.ckpt"); })
                .find("is a PyTorch pickle checkpoint, which can run arbitrary "
                      "code when loaded; convert it to .safetensors first"),
            std::string::npos);
  fs::create_directories(root / "folder" / "unet");
  std::ofstream(root / "folder" / "unet" / "diffusion_pytorch_model.bin")
      << "PK";
  EXPECT_NE(errorOf([&] {
              Checkpoint checkpoint(root / "folder");
            }).find("diffusion_pytorch_model.bin is a PyTorch pickle"),
            std::string::npos);
  // Renamed to .safetensors, the content still gives it away.
  std::ofstream(root / "renamed.safetensors")
      << std::string("PK\x03\x04", 4) << std::string(100, 'z');
  EXPECT_NE(errorOf([&] {
              Checkpoint checkpoint(root / "renamed.safetensors");
            }).find("PyTorch pickle checkpoint"),
            std::string::npos);
}

TEST_F(TempFolder, RejectsWhatIsNotAModel) {
  EXPECT_NE(errorOf([&] {
              Checkpoint checkpoint(root);
            }).find("is a folder without text_encoder/, unet/ or vae/"),
            std::string::npos);
  EXPECT_NE(errorOf([&] {
              Checkpoint checkpoint(root / "missing.safetensors");
            }).find("cannot open"),
            std::string::npos);
  fs::create_directories(root / "vae");
  EXPECT_NE(errorOf([&] {
              Checkpoint checkpoint(root);
            }).find("has no diffusion_pytorch_model.safetensors"),
            std::string::npos);
}

} // namespace
} // namespace avila
