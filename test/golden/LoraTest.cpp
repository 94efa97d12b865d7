//===- LoraTest.cpp - LoRA merges and embeddings on the tiny-sd artifact --===//
//
// Every LoRA format on every layer kind, merged into the weights bound on
// the device and read back, against W + m·(α/r)·up·down computed here; the
// plain weights back bit for bit when the set is emptied; textual-inversion
// vectors through the compiled text encoder.
//
//===----------------------------------------------------------------------===//

#include "runtime/pipeline/LoadedModel.h"

#include "runtime/base/Error.h"
#include "test/LoraFiles.h"

#include <gtest/gtest.h>

#include <cstring>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kModel =
    fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd/diffusers-fp16";

class TinyLora : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    const char *path = std::getenv("AVILA_TINY_ARTIFACT");
    ASSERT_NE(path, nullptr) << "AVILA_TINY_ARTIFACT is not set";
    // AVILA_TINY_DEVICE: the device the artifact runs on (default cpu).
    const char *device = std::getenv("AVILA_TINY_DEVICE");
    model = new LoadedModel(path, kModel, "", 2, device ? device : "cpu");
    model->bindWeights();
  }
  static void TearDownTestSuite() { delete model; }

  static std::vector<float> bound(Component component,
                                  const std::string &name) {
    const LoraTarget *target =
        model->loraTargets().module(component, name.substr(0, name.size() - 7));
    EXPECT_NE(target, nullptr) << name;
    int64_t count = 1;
    for (int64_t dim : target->shape)
      count *= dim;
    return model->executable().readWeight(componentName(component), name, 0,
                                          count);
  }

  /// How far a merged weight may lie from the formula: f32 rounding, or
  /// f16's half step where the artifact keeps weights in f16.
  static double tolerance(double expected) {
    const bool f16 = model->executable()
                         .artifact()
                         .root()
                         .weights()
                         ->Get(0)
                         ->element_type() == artifact::ElementType::F16;
    return f16 ? 1e-6 + std::abs(expected) / 1024 : 1e-5;
  }

  static LoadedModel *model;
};

LoadedModel *TinyLora::model = nullptr;

const std::string kBlock = "down_blocks.0.attentions.0.transformer_blocks.0.";

struct LayerCase {
  const char *format;
  Component component;
  std::string weight; // canonical name
  std::string key;    // the layer's key in the file, before the suffix
  const char *downSuffix, *upSuffix;
  std::vector<int64_t> down, up;
  bool alpha;
};

std::string underscored(std::string name) {
  name = name.substr(0, name.size() - 7);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

std::vector<LayerCase> layerCases() {
  const char *kohyaDown = ".lora_down.weight", *kohyaUp = ".lora_up.weight";
  std::vector<LayerCase> cases;
  auto kohya = [&](Component component, const std::string &weight,
                   std::vector<int64_t> down, std::vector<int64_t> up) {
    const std::string prefix =
        component == Component::UNet ? "lora_unet_" : "lora_te_";
    cases.push_back({"kohya", component, weight, prefix + underscored(weight),
                     kohyaDown, kohyaUp, down, up, true});
  };
  kohya(Component::UNet, kBlock + "attn1.to_q.weight", {2, 32}, {32, 2});
  kohya(Component::UNet, kBlock + "attn2.to_v.weight", {2, 32}, {32, 2});
  kohya(Component::UNet, kBlock + "ff.net.0.proj.weight", {3, 32}, {256, 3});
  kohya(Component::UNet, "down_blocks.0.attentions.0.proj_in.weight",
        {2, 32, 1, 1}, {32, 2, 1, 1});
  kohya(Component::UNet, "down_blocks.0.attentions.0.proj_out.weight", {2, 32},
        {32, 2});
  kohya(Component::UNet, "time_embedding.linear_1.weight", {2, 32}, {128, 2});
  kohya(Component::TextEncoder,
        "text_model.encoder.layers.0.self_attn.q_proj.weight", {2, 32},
        {32, 2});
  kohya(Component::TextEncoder, "text_model.encoder.layers.1.mlp.fc2.weight",
        {2, 64}, {32, 2});
  // LyCORIS LoCon: 3×3 convolutions, up as a 1×1 convolution.
  for (const char *conv :
       {"down_blocks.0.resnets.0.conv1.weight", "conv_in.weight",
        "down_blocks.0.downsamplers.0.conv.weight"}) {
    const int64_t inputs = std::string(conv) == "conv_in.weight" ? 4 : 32;
    kohya(Component::UNet, conv, {2, inputs, 3, 3}, {32, 2, 1, 1});
    cases.back().format = "locon";
  }
  auto dotted =
      [&](const char *format, Component component, const std::string &weight,
          const std::string &key, const char *down, const char *up,
          std::vector<int64_t> downShape, std::vector<int64_t> upShape) {
        cases.push_back({format, component, weight, key, down, up, downShape,
                         upShape, false});
      };
  const std::string k = kBlock + "attn1.to_k";
  dotted("peft", Component::UNet, k + ".weight", "unet." + k, ".lora_A.weight",
         ".lora_B.weight", {2, 32}, {32, 2});
  const std::string ff2 = kBlock + "ff.net.2";
  dotted("peft", Component::UNet, ff2 + ".weight",
         "base_model.model.unet." + ff2, ".lora_A.weight", ".lora_B.weight",
         {2, 128}, {32, 2});
  dotted("diffusers", Component::UNet, kBlock + "attn1.to_out.0.weight",
         "unet." + kBlock + "attn1.processor.to_out", "_lora.down.weight",
         "_lora.up.weight", {2, 32}, {32, 2});
  dotted("diffusers", Component::UNet, kBlock + "attn2.to_k.weight",
         "unet." + kBlock + "attn2.to_k", ".lora.down.weight",
         ".lora.up.weight", {2, 32}, {32, 2});
  const std::string fc1 = "text_model.encoder.layers.0.mlp.fc1";
  dotted("peft", Component::TextEncoder, fc1 + ".weight", "text_encoder." + fc1,
         ".lora_A.weight", ".lora_B.weight", {2, 32}, {64, 2});
  const std::string out = "text_model.encoder.layers.0.self_attn.out_proj";
  dotted("diffusers", Component::TextEncoder, out + ".weight",
         "text_encoder." + out, ".lora_linear_layer.down.weight",
         ".lora_linear_layer.up.weight", {2, 32}, {32, 2});
  // cloneofsimo: the 5th layer is the first block's GEGLU projection; in
  // the text encoder the 2nd is layer 0's v_proj.
  dotted("cloneofsimo", Component::UNet, kBlock + "ff.net.0.proj.weight",
         "unet:4", ":down", ":up", {1, 32}, {256, 1});
  dotted("cloneofsimo", Component::TextEncoder,
         "text_model.encoder.layers.0.self_attn.v_proj.weight",
         "text_encoder:1", ":down", ":up", {1, 32}, {32, 1});
  return cases;
}

TEST_F(TinyLora, EveryFormatMergesTheFormulaIntoEveryLayerKind) {
  constexpr double kTextEncoder = 0.7, kUNet = -1.3;
  std::vector<std::string> warnings;
  unsigned seed = 10;
  for (const LayerCase &layer : layerCases()) {
    SCOPED_TRACE(std::string(layer.format) + " " + layer.weight);
    const test::FloatTensor down =
        test::drawnTensor(layer.key + layer.downSuffix, layer.down, seed++);
    const test::FloatTensor up =
        test::drawnTensor(layer.key + layer.upSuffix, layer.up, seed++);
    std::vector<test::FloatTensor> tensors = {down, up};
    const int64_t rank = layer.down[0];
    double scale = 1;
    if (layer.alpha) {
      tensors.push_back({layer.key + ".alpha", {}, {0.5f}});
      scale = 0.5 / double(rank);
    }
    const fs::path file = fs::path(::testing::TempDir()) /
                          (std::string(layer.format) + "-" +
                           std::to_string(seed) + ".safetensors");
    test::writeFloatTensors(file, tensors);

    const std::vector<float> plain = bound(layer.component, layer.weight);
    model->useLoras({{"case", file, kTextEncoder, kUNet}}, warnings);
    ASSERT_TRUE(warnings.empty()) << warnings.front();
    const std::vector<float> merged = bound(layer.component, layer.weight);
    const double multiplier =
        layer.component == Component::UNet ? kUNet : kTextEncoder;
    const std::vector<double> expected = test::mergedReference(
        plain, up.values, down.values, rank, multiplier * scale);
    ASSERT_EQ(merged.size(), expected.size());
    double largest = 0;
    for (size_t i = 0; i < merged.size(); ++i) {
      EXPECT_NEAR(merged[i], expected[i], tolerance(expected[i])) << i;
      largest = std::max(largest, std::abs(expected[i] - plain[i]));
    }
    EXPECT_GT(largest, 1e-3) << "the change is too small to tell";

    model->useLoras({}, warnings);
    const std::vector<float> restored = bound(layer.component, layer.weight);
    EXPECT_EQ(std::memcmp(restored.data(), plain.data(),
                          plain.size() * sizeof(float)),
              0)
        << "the plain weights did not come back bit for bit";
  }
}

TEST_F(TinyLora, ShapeMismatchLeavesTheWeightsAlone) {
  const std::string key =
      "lora_unet_" + underscored(kBlock + "attn1.to_q.weight");
  const fs::path file = fs::path(::testing::TempDir()) / "mismatch.safetensors";
  test::writeFloatTensors(
      file, {test::drawnTensor(key + ".lora_down.weight", {2, 48}, 1),
             test::drawnTensor(key + ".lora_up.weight", {32, 2}, 2)});
  const std::vector<float> plain =
      bound(Component::UNet, kBlock + "attn1.to_q.weight");
  std::vector<std::string> warnings;
  try {
    model->useLoras({{"bad", file, 1, 1}}, warnings);
    ADD_FAILURE() << "a LoRA of another model was merged";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("of shape [32, 32]"),
              std::string::npos)
        << error.what();
  }
  EXPECT_EQ(bound(Component::UNet, kBlock + "attn1.to_q.weight"), plain);
}

TEST_F(TinyLora, EmbeddingVectorsReachTheTextEncoder) {
  // An embedding made of the token rows of "red cube" must encode exactly
  // as those words do.
  const ClipTokenizer tokenizer =
      ClipTokenizer::fromDiffusersFolder(kModel / "tokenizer");
  const std::vector<int32_t> words = tokenizer.encode("red cube");
  ASSERT_EQ(words.size(), 2u);
  const std::string table = "text_model.embeddings.token_embedding.weight";
  const int64_t width = 32;
  std::vector<float> rows;
  for (int32_t id : words) {
    const std::vector<float> row = model->executable().readWeight(
        "text_encoder", table, int64_t{id} * width, width);
    rows.insert(rows.end(), row.begin(), row.end());
  }
  const fs::path folder = fs::path(::testing::TempDir()) / "tiny-embeddings";
  fs::create_directories(folder);
  test::writeFloatTensors(folder / "redcube.safetensors",
                          {{"emb_params", {2, width}, rows}});

  Pipeline &pipeline = model->pipeline();
  const HostTensor asText = pipeline.encodePrompt("a photo of redcube");
  std::vector<std::string> warnings;
  model->loadEmbeddings(folder, warnings);
  ASSERT_TRUE(warnings.empty()) << warnings.front();
  ASSERT_EQ(model->embeddings().loaded().size(), 1u);

  const Pipeline::TextEncoderInput input =
      pipeline.textEncoderInput("a photo of redcube");
  ASSERT_EQ(input.rows.size(), 2u);
  for (size_t v = 0; v < 2; ++v) {
    EXPECT_TRUE(std::equal(input.rows[v].second.begin(),
                           input.rows[v].second.end(),
                           rows.begin() + v * width));
    EXPECT_EQ(std::count(input.chunks.ids.begin(), input.chunks.ids.end(),
                         input.rows[v].first),
              1);
  }
  const std::vector<float> lentBefore = model->executable().readWeight(
      "text_encoder", table, int64_t{input.rows[0].first} * width, width);

  const HostTensor embedded = pipeline.encodePrompt("a photo of redcube");
  const HostTensor words2 = pipeline.encodePrompt("a photo of red cube");
  EXPECT_EQ(embedded.floats, words2.floats);
  EXPECT_NE(embedded.floats, asText.floats);
  // The lent row holds its own token's vector again.
  EXPECT_EQ(model->executable().readWeight("text_encoder", table,
                                           int64_t{input.rows[0].first} * width,
                                           width),
            lentBefore);
}

TEST_F(TinyLora, EmptyPromptPaddingFollowsTheLoraSet) {
  // A prompt of two chunks pads the one-chunk negative prompt with the empty
  // prompt's encoding, which a text-encoder LoRA changes: once the LoRA is
  // gone, the image must be a fresh model's.
  GenerationParameters parameters;
  std::string words;
  for (int i = 0; i < 90; ++i)
    words += " cube";
  parameters.prompt = "a red" + words;
  parameters.width = parameters.height = 64;
  parameters.steps = 2;
  parameters.seed = 3;
  const std::string key = "lora_te_" + underscored("text_model.encoder.layers."
                                                   "0.self_attn.q_proj.weight");
  const fs::path file = fs::path(::testing::TempDir()) / "padding.safetensors";
  test::writeFloatTensors(
      file, {test::drawnTensor(key + ".lora_down.weight", {2, 32}, 3),
             test::drawnTensor(key + ".lora_up.weight", {32, 2}, 4)});
  std::vector<std::string> warnings;
  model->useLoras({{"te", file, 4, 4}}, warnings);
  const Image withLora = model->pipeline().generateAll(parameters).at(0).image;
  model->useLoras({}, warnings);
  const Image after = model->pipeline().generateAll(parameters).at(0).image;

  const char *device = std::getenv("AVILA_TINY_DEVICE");
  LoadedModel fresh(std::getenv("AVILA_TINY_ARTIFACT"), kModel, "", 2,
                    device ? device : "cpu");
  fresh.bindWeights();
  const Image plain = fresh.pipeline().generateAll(parameters).at(0).image;
  EXPECT_NE(withLora.rgb, plain.rgb) << "the LoRA changes nothing to tell";
  EXPECT_EQ(after.rgb, plain.rgb);
}

} // namespace
} // namespace avila
