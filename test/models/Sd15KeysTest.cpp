//===- Sd15KeysTest.cpp - Full-size SD 1.5 graphs against the real keys ---===//
//
// Without any weights: the graphs built from the SD 1.5 configs must consume
// exactly the tensors of ../shared/golden/common/sd15_keys.tsv, every key and
// every shape, in the diffusers layout and, through the name map, in the
// single-file layout.
//
//===----------------------------------------------------------------------===//

#include "compiler/dialect/AvilaOps.h"
#include "models/config/LdmNames.h"
#include "models/config/ModelConfig.h"
#include "models/graphs/Models.h"

#include "mlir/IR/Verifier.h"

#include "test/Sd15Keys.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace avila::models {
namespace {

using Shape = std::vector<int64_t>;
using test::KeyShapes;

const std::string kShared = AVILA_SHARED_DIR;

class Sd15Graphs : public ::testing::Test {
protected:
  void SetUp() override {
    loadModelDialects(context);
    config = readDiffusersConfig(kShared + "/data/sd15_hf_repo");
    mlir::OpBuilder builder(&context);
    module = mlir::ModuleOp::create(builder.getUnknownLoc());
    mlir::Type f32 = builder.getF32Type();
    functions[Component::TextEncoder] = {
        buildTextEncoder(*module, config.textEncoder, f32)};
    functions[Component::UNet] = {buildUNet(*module, config.unet, f32)};
    functions[Component::Vae] = {buildVaeDecoder(*module, config.vae, f32),
                                 buildVaeEncoder(*module, config.vae, f32)};
    ASSERT_TRUE(mlir::succeeded(mlir::verify(*module)));
  }

  // The weights a component's graphs declare, by canonical name.
  KeyShapes weights(Component component) {
    KeyShapes declared;
    for (mlir::func::FuncOp function : functions[component])
      function.walk([&](WeightOp op) {
        auto shape = op.getType().getShape();
        auto [it, inserted] = declared.emplace(
            op.getName().str(), Shape(shape.begin(), shape.end()));
        EXPECT_TRUE(inserted || it->second == Shape(shape.begin(), shape.end()))
            << op.getName().str() << " is declared with two shapes";
      });
    return declared;
  }

  mlir::MLIRContext context;
  ModelConfig config;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::map<Component, std::vector<mlir::func::FuncOp>> functions;
};

constexpr Component kComponents[] = {Component::TextEncoder, Component::UNet,
                                     Component::Vae};

TEST_F(Sd15Graphs, ConsumeExactlyTheDiffusersKeys) {
  auto keys = test::readSd15Keys();
  for (Component component : kComponents) {
    const KeyShapes &expected =
        keys[std::string("diffusers/") + componentName(component)];
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(weights(component), expected) << componentName(component);
  }
}

TEST_F(Sd15Graphs, ConsumeExactlyTheSingleFileKeys) {
  auto keys = test::readSd15Keys();
  const KeyShapes &ldm = keys["ldm"];
  ASSERT_FALSE(ldm.empty());
  LdmNames names(config);
  std::map<std::string, std::string> used; // ldm key → canonical name
  for (Component component : kComponents)
    for (const auto &[name, shape] : weights(component)) {
      const std::string key = names(component, name);
      auto it = ldm.find(key);
      ASSERT_NE(it, ldm.end()) << name << " maps to missing key " << key;
      // The VAE's attention projections are 1x1 convs in the single file.
      Shape stored = it->second;
      while (stored.size() > shape.size() && stored.back() == 1)
        stored.pop_back();
      EXPECT_EQ(stored, shape) << key;
      EXPECT_TRUE(used.emplace(key, name).second)
          << key << " serves both " << used[key] << " and " << name;
    }
  EXPECT_EQ(used.size(), ldm.size()) << "single-file keys left unused";
}

TEST_F(Sd15Graphs, SingleFileShapesInferTheSameConfig) {
  auto keys = test::readSd15Keys();
  ModelConfig inferred = inferLdmConfig(keys["ldm"]);
  EXPECT_EQ(inferred.unet.blockOutChannels, config.unet.blockOutChannels);
  EXPECT_EQ(inferred.unet.downAttention, config.unet.downAttention);
  EXPECT_EQ(inferred.unet.upAttention, config.unet.upAttention);
  EXPECT_EQ(inferred.unet.layersPerBlock, config.unet.layersPerBlock);
  EXPECT_EQ(inferred.unet.heads, config.unet.heads);
  EXPECT_EQ(inferred.unet.crossAttentionDim, config.unet.crossAttentionDim);
  EXPECT_EQ(inferred.unet.useLinearProjection, config.unet.useLinearProjection);
  EXPECT_EQ(inferred.unet.transformerLayers, config.unet.transformerLayers);
  EXPECT_EQ(inferred.vae.blockOutChannels, config.vae.blockOutChannels);
  EXPECT_EQ(inferred.vae.layersPerBlock, config.vae.layersPerBlock);
  EXPECT_EQ(inferred.vae.latentChannels, config.vae.latentChannels);
  EXPECT_EQ(inferred.textEncoder.hiddenSize, config.textEncoder.hiddenSize);
  EXPECT_EQ(inferred.textEncoder.heads, config.textEncoder.heads);
  EXPECT_EQ(inferred.textEncoder.layers, config.textEncoder.layers);
  EXPECT_EQ(inferred.textEncoder.intermediateSize,
            config.textEncoder.intermediateSize);
}

} // namespace
} // namespace avila::models
