//===- VaeSwapTest.cpp - A VAE from another file than the checkpoint ------===//
//
// The tiny-sd artifact (AVILA_TINY_ARTIFACT) with its checkpoint, and VAE
// files written here with other weights in each layout --vae takes: the
// swapped decoder must give exactly what an executable bound with those
// weights from the start gives, and the checkpoint's own VAE must come
// back bit for bit.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/pipeline/LoadedModel.h"
#include "runtime/weights/SafetensorsWriter.h"
#include "test/LoraFiles.h"

#include <gtest/gtest.h>

#include <random>
#include <unistd.h>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kModel =
    fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd/diffusers-fp16";

std::vector<int64_t> shapeOf(const artifact::Weight &weight) {
  return {weight.shape()->begin(), weight.shape()->end()};
}

class VaeSwap : public ::testing::Test {
protected:
  void SetUp() override {
    artifactPath = std::getenv("AVILA_TINY_ARTIFACT");
    folder = fs::temp_directory_path() /
             ("avila-vae-swap-" + std::to_string(getpid()));
    fs::create_directories(folder);
    model = std::make_unique<LoadedModel>(artifactPath, kModel, "", 2, "cpu");
    model->bindWeights();
    std::mt19937 rng(7);
    std::normal_distribution<float> normal;
    latents.shape = {1, 4, 8, 8};
    for (int i = 0; i < 4 * 8 * 8; ++i)
      latents.floats.push_back(normal(rng));
  }
  void TearDown() override { fs::remove_all(folder); }

  // The checkpoint's VAE weights, scaled and shifted: other weights of the
  // same shapes.
  std::map<std::string, std::vector<float>> otherVae() const {
    std::map<std::string, std::vector<float>> values;
    const Checkpoint checkpoint(kModel);
    for (const artifact::Weight *weight :
         *model->executable().artifact().root().weights())
      if (weight->component()->str() == "vae") {
        std::vector<float> read = checkpoint.readWeight(
            Component::Vae, weight->name()->str(), shapeOf(*weight));
        for (float &value : read)
          value = value * 1.25f + 0.01f;
        values[weight->name()->str()] = std::move(read);
      }
    return values;
  }

  // `values` written as f32 under the key `keyOf` gives each weight.
  void write(
      const fs::path &path,
      const std::map<std::string, std::vector<float>> &values,
      const std::function<std::string(const artifact::Weight &)> &keyOf) const {
    std::vector<TensorEntry> entries;
    for (const artifact::Weight *weight :
         *model->executable().artifact().root().weights()) {
      const auto found = values.find(weight->name()->str());
      if (weight->component()->str() != "vae" || found == values.end())
        continue;
      entries.push_back({keyOf(*weight), DType::F32, shapeOf(*weight),
                         std::as_bytes(std::span(found->second))});
    }
    fs::create_directories(path.parent_path());
    writeSafetensors(path, entries);
  }

  std::vector<float> decode() {
    return model->executable().run("vae_decoder", {latents}).at(0).floats;
  }

  const char *artifactPath = nullptr;
  fs::path folder;
  std::unique_ptr<LoadedModel> model;
  HostTensor latents;
};

TEST_F(VaeSwap, EveryLayoutDecodesAsTheSwappedWeightsDo) {
  ASSERT_NE(artifactPath, nullptr);
  const std::vector<float> original = decode();
  const auto values = otherVae();

  // The reference: an executable bound with the other VAE from the start.
  Executable reference(Artifact::load(artifactPath), 2, "cpu");
  const Checkpoint checkpoint(kModel);
  reference.bindWeights([&](const artifact::Weight &weight,
                            std::span<float> out) {
    const std::string name = weight.name()->str();
    if (weight.component()->str() == "vae") {
      std::copy(values.at(name).begin(), values.at(name).end(), out.begin());
      return;
    }
    checkpoint.readWeight(weight.component()->str() == "unet"
                              ? Component::UNet
                              : Component::TextEncoder,
                          name, shapeOf(weight), out);
  });
  const std::vector<float> expected =
      reference.run("vae_decoder", {latents}).at(0).floats;
  ASSERT_NE(expected, original);

  auto singleFileKey = [](const artifact::Weight &weight) {
    return weight.single_file_key()->str();
  };
  write(folder / "full.safetensors", values, singleFileKey);
  write(folder / "bare.safetensors", values,
        [&](const artifact::Weight &weight) {
          return singleFileKey(weight).substr(strlen("first_stage_model."));
        });
  write(folder / "vae/diffusion_pytorch_model.safetensors", values,
        [](const artifact::Weight &weight) { return weight.name()->str(); });
  for (const char *layout : {"full.safetensors", "bare.safetensors", "vae"}) {
    model->useVae(folder / layout);
    EXPECT_EQ(model->vae(), folder / layout);
    EXPECT_EQ(decode(), expected) << layout;
    model->useVae("");
    EXPECT_EQ(decode(), original) << layout;
  }

  // Chosen before the weights are bound: bound with them.
  LoadedModel fresh(artifactPath, kModel, "", 2, "cpu");
  fresh.useVae(folder / "bare.safetensors");
  fresh.bindWeights();
  EXPECT_EQ(fresh.executable().run("vae_decoder", {latents}).at(0).floats,
            expected);
}

TEST_F(VaeSwap, AVaeThatDoesNotFitIsRefusedAndTheOldOneStays) {
  ASSERT_NE(artifactPath, nullptr);
  const std::vector<float> original = decode();
  auto values = otherVae();
  // One tensor of the wrong shape: a 1×1 convolution where 3×3 is expected.
  const std::string conv = "decoder.conv_in.weight";
  ASSERT_TRUE(values.contains(conv));
  const fs::path wrong = folder / "wrong.safetensors";
  {
    std::vector<TensorEntry> entries;
    for (const artifact::Weight *weight :
         *model->executable().artifact().root().weights())
      if (weight->component()->str() == "vae") {
        std::vector<int64_t> shape = shapeOf(*weight);
        const std::vector<float> &data = values.at(weight->name()->str());
        if (weight->name()->str() == conv)
          shape = {shape[0], static_cast<int64_t>(data.size()) / shape[0], 1,
                   1};
        entries.push_back({weight->name()->str(), DType::F32, shape,
                           std::as_bytes(std::span(data))});
      }
    writeSafetensors(wrong, entries);
  }
  try {
    model->useVae(wrong);
    ADD_FAILURE() << "a VAE of the wrong shapes was taken";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("expects"), std::string::npos)
        << error.what();
  }
  EXPECT_TRUE(model->vae().empty());
  EXPECT_EQ(decode(), original);

  const fs::path other = folder / "other.safetensors";
  const std::vector<float> one = {1.0f};
  const TensorEntry entry{
      "text.weight", DType::F32, {1}, std::as_bytes(std::span(one))};
  writeSafetensors(other, std::span(&entry, 1));
  EXPECT_THROW(model->useVae(other), Error);
  EXPECT_THROW(model->useVae(folder), Error);
  EXPECT_THROW(model->useVae(folder / "missing.safetensors"), Error);
  EXPECT_EQ(decode(), original);
}

TEST_F(VaeSwap, LorasAndTheSwappedVaeKeepEachOther) {
  // Both refill bound weights in place: a VAE swap must leave a merged LoRA
  // merged, and a change of LoRA set must leave the swapped VAE.
  ASSERT_NE(artifactPath, nullptr);
  const auto values = otherVae();
  const fs::path vae = folder / "bare.safetensors";
  write(vae, values, [](const artifact::Weight &weight) {
    return weight.single_file_key()->str().substr(strlen("first_stage_model."));
  });
  model->useVae(vae);
  const std::vector<float> swapped = decode();
  model->useVae("");
  ASSERT_NE(decode(), swapped);

  const std::string query =
      "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight";
  const std::string key = "lora_unet_down_blocks_0_attentions_0_"
                          "transformer_blocks_0_attn1_to_q";
  const fs::path lora = folder / "lora.safetensors";
  test::writeFloatTensors(
      lora, {test::drawnTensor(key + ".lora_down.weight", {2, 32}, 1),
             test::drawnTensor(key + ".lora_up.weight", {32, 2}, 2)});
  auto queryWeight = [&] {
    return model->executable().readWeight("unet", query, 0, 32 * 32);
  };
  const std::vector<float> plain = queryWeight();
  std::vector<std::string> warnings;
  model->useLoras({{"q", lora, 1, 1}}, warnings);
  const std::vector<float> merged = queryWeight();
  ASSERT_NE(merged, plain);

  model->useVae(vae);
  EXPECT_EQ(queryWeight(), merged);
  EXPECT_EQ(decode(), swapped);
  model->useLoras({}, warnings);
  EXPECT_EQ(queryWeight(), plain);
  EXPECT_EQ(decode(), swapped);
}

} // namespace
} // namespace avila
