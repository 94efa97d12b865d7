//===- LoraFileTest.cpp - LoRA formats, key mapping and hostile files -----===//

#include "runtime/lora/LoraFile.h"
#include "runtime/lora/LoraMerge.h"

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"
#include "test/LoraFiles.h"
#include "test/Sd15Keys.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

namespace avila {
namespace {

namespace fs = std::filesystem;
using test::drawnTensor;
using test::FloatTensor;

const fs::path kLoras = fs::path(AVILA_SHARED_DIR) / "data/lora_sd15";

// SD 1.5's U-Net and text encoder weights, from the golden key list.
LoraTargets sd15Targets() {
  const auto keys = test::readSd15Keys();
  std::vector<LoraTarget> weights;
  for (const auto &[format, component] :
       {std::pair{"diffusers/unet", Component::UNet},
        {"diffusers/text_encoder", Component::TextEncoder}})
    for (const auto &[key, shape] : keys.at(format))
      weights.push_back({component, key, shape});
  return LoraTargets(std::move(weights));
}

std::string error(const std::function<void()> &action) {
  try {
    action();
  } catch (const Error &thrown) {
    return thrown.what();
  }
  return "no error";
}

TEST(LoraFile, CloneofsimoFilesMapEveryLayerOntoSd15) {
  const LoraTargets targets = sd15Targets();
  for (const char *name :
       {"lora_disney.safetensors", "analog_svd_rank4.safetensors"}) {
    SCOPED_TRACE(name);
    std::vector<std::string> warnings;
    const LoraFile file(kLoras / name, targets, warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    // 16 transformer blocks × 9 layers, 12 text encoder layers × 4.
    ASSERT_EQ(file.layers().size(), 144u + 48u);
    std::set<std::pair<Component, std::string>> changed;
    std::map<std::string, std::string> byKey;
    for (const LoraLayer &layer : file.layers()) {
      changed.insert({layer.target.component, layer.target.name});
      byKey[layer.key] = layer.target.name;
      EXPECT_EQ(layer.scale, 1.0); // cloneofsimo's scale: no alpha
    }
    EXPECT_EQ(changed.size(), 192u) << "two layers change one weight";
    // The trainer's walk: down blocks, up blocks, then the mid block; in a
    // block attn1, the GEGLU projection, attn2; CLIP's k, v, q, out.
    const std::string block = "attentions.0.transformer_blocks.0.";
    for (const auto &[key, weight] :
         std::vector<std::pair<std::string, std::string>>{
             {"unet:0", "down_blocks.0." + block + "attn1.to_q.weight"},
             {"unet:4", "down_blocks.0." + block + "ff.net.0.proj.weight"},
             {"unet:8", "down_blocks.0." + block + "attn2.to_out.0.weight"},
             {"unet:54", "up_blocks.1." + block + "attn1.to_q.weight"},
             {"unet:143", "mid_block." + block + "attn2.to_out.0.weight"},
             {"text_encoder:0",
              "text_model.encoder.layers.0.self_attn.k_proj.weight"},
             {"text_encoder:2",
              "text_model.encoder.layers.0.self_attn.q_proj.weight"},
             {"text_encoder:47",
              "text_model.encoder.layers.11.self_attn.out_proj.weight"}})
      EXPECT_EQ(byKey.at(key), weight) << key;
  }
}

TEST(LoraFile, HashIsA1111sAddnetHash) {
  // sha256 of the bytes after the header (A1111's hashes.sha256 with
  // use_addnet_hash for .safetensors), computed with Python's hashlib; the
  // whole file's sha256 begins cea222b3653f (data/SOURCES.md).
  EXPECT_EQ(addnetHash(kLoras / "lora_disney.safetensors").substr(0, 12),
            "deb8561122de");
  EXPECT_EQ(addnetHash(kLoras / "analog_svd_rank4.safetensors").substr(0, 12),
            "c1cb0e15d1f4");
}

// A model of two layers: a linear [8, 6] and a 3×3 convolution [4, 3, 3, 3].
LoraTargets tinyTargets() {
  return LoraTargets(
      {{Component::UNet, "blocks.0.attn1.to_q.weight", {8, 6}},
       {Component::UNet, "blocks.0.resnets.0.conv1.weight", {4, 3, 3, 3}},
       {Component::TextEncoder,
        "text_model.encoder.layers.0.self_attn.q_proj.weight",
        {8, 6}}});
}

fs::path written(const std::string &name,
                 const std::vector<FloatTensor> &tensors) {
  const fs::path path = fs::path(::testing::TempDir()) / name;
  test::writeFloatTensors(path, tensors);
  return path;
}

TEST(LoraFile, MergesTheFormulaIntoLinearAndConvolutionWeights) {
  const LoraTargets targets = tinyTargets();
  const std::string conv = "lora_unet_blocks_0_resnets_0_conv1";
  const FloatTensor up = drawnTensor(conv + ".lora_up.weight", {4, 2, 1, 1}, 1);
  const FloatTensor down =
      drawnTensor(conv + ".lora_down.weight", {2, 3, 3, 3}, 2);
  const FloatTensor alpha{conv + ".alpha", {}, {1.5f}};
  std::vector<std::string> warnings;
  auto file = std::make_shared<const LoraFile>(
      written("locon.safetensors", {up, down, alpha}), targets, warnings);
  ASSERT_EQ(file->layers().size(), 1u);
  EXPECT_EQ(file->layers()[0].target.name, "blocks.0.resnets.0.conv1.weight");
  EXPECT_DOUBLE_EQ(file->layers()[0].scale, 0.75);

  const std::vector<float> weight = test::drawValues(4 * 27, 3);
  std::vector<float> merged = weight;
  LoraSet({{file, 1.0, -0.6}})
      .apply({Component::UNet, "blocks.0.resnets.0.conv1.weight"}, merged);
  const std::vector<double> expected =
      test::mergedReference(weight, up.values, down.values, 2, -0.6 * 0.75);
  for (size_t i = 0; i < merged.size(); ++i)
    EXPECT_NEAR(merged[i], expected[i], 1e-6) << i;
}

TEST(LoraFile, UnknownKeysAreWarningsThatNameThem) {
  std::vector<std::string> warnings;
  const LoraFile file(
      written("unknown.safetensors",
              {drawnTensor("lora_unet_no_such_layer.lora_up.weight", {8, 1}, 1),
               drawnTensor("something_else", {3}, 2)}),
      tinyTargets(), warnings);
  EXPECT_TRUE(file.layers().empty());
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("'lora_unet_no_such_layer.lora_up.weight'"),
            std::string::npos);
  EXPECT_NE(warnings[1].find("'something_else'"), std::string::npos);
}

TEST(LoraFile, HostileFilesAreClearErrors) {
  const LoraTargets targets = tinyTargets();
  const std::string q = "lora_unet_blocks_0_attn1_to_q";
  auto failure = [&](const std::string &name,
                     const std::vector<FloatTensor> &tensors) {
    std::vector<std::string> warnings;
    return error([&] { LoraFile(written(name, tensors), targets, warnings); });
  };
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(failure("half.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 6}, 1)})
                .find("has a down half but no up half"),
            std::string::npos);
  EXPECT_NE(failure("shape.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 5}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 2}, 2)})
                .find("do not fit unet weight 'blocks.0.attn1.to_q.weight' of "
                      "shape [8, 6]"),
            std::string::npos);
  EXPECT_NE(failure("ranks.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 6}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 3}, 2)})
                .find("do not fit"),
            std::string::npos);
  EXPECT_NE(failure("nan-alpha.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 6}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 2}, 2),
                     {q + ".alpha", {}, {nan}}})
                .find("NaN or infinite"),
            std::string::npos);
  EXPECT_NE(failure("alpha-shape.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 6}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 2}, 2),
                     {q + ".alpha", {2}, {1, 2}}})
                .find("not a single value"),
            std::string::npos);
  EXPECT_NE(failure("rank0.safetensors", {{q + ".lora_down.weight", {0, 6}, {}},
                                          {q + ".lora_up.weight", {8, 0}, {}}})
                .find("rank 0"),
            std::string::npos);
  EXPECT_NE(failure("huge.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {7, 6}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 7}, 2)})
                .find("rank 7, beyond the layer's sizes 8×6"),
            std::string::npos);
  EXPECT_NE(
      failure("nan-up.safetensors",
              {drawnTensor(q + ".lora_down.weight", {2, 6}, 1),
               {q + ".lora_up.weight", {8, 2}, std::vector<float>(16, nan)}})
          .find("NaN or infinite"),
      std::string::npos);
  EXPECT_NE(failure("tucker.safetensors",
                    {drawnTensor(q + ".lora_down.weight", {2, 6}, 1),
                     drawnTensor(q + ".lora_up.weight", {8, 2}, 2),
                     drawnTensor(q + ".lora_mid.weight", {2, 2, 3, 3}, 3)})
                .find("lora_mid"),
            std::string::npos);
  const fs::path garbage =
      fs::path(::testing::TempDir()) / "garbage.safetensors";
  std::ofstream(garbage) << "not a safetensors file";
  std::vector<std::string> warnings;
  EXPECT_THROW(LoraFile(garbage, targets, warnings), Error);
}

} // namespace
} // namespace avila
