//===- EmbeddingsTest.cpp - Textual-inversion files and prompt words ------===//

#include "runtime/text/Embeddings.h"

#include "runtime/base/Error.h"
#include "runtime/text/WeightedPrompt.h"
#include "runtime/weights/Safetensors.h"
#include "test/LoraFiles.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kDisney =
    fs::path(AVILA_SHARED_DIR) / "data/lora_sd15/lora_disney.safetensors";
const fs::path kTokenizer =
    fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd/diffusers-fp16/tokenizer";

fs::path folderFor(const std::string &name) {
  const fs::path folder = fs::path(::testing::TempDir()) / name;
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

TEST(Embeddings, CloneofsimoTokensAreTheFilesVectors) {
  const std::vector<Embedding> tokens = readEmbeddings(kDisney);
  ASSERT_EQ(tokens.size(), 2u);
  const SafetensorsFile file(kDisney);
  for (const Embedding &token : tokens) {
    EXPECT_TRUE(token.name == "<s1>" || token.name == "<s2>") << token.name;
    EXPECT_EQ(token.vectors, 1);
    EXPECT_EQ(token.width, 768);
    EXPECT_EQ(token.values, readFloats(*file.find(token.name)));
  }
}

TEST(Embeddings, A1111FilesAreNamedByTheirFile) {
  const fs::path folder = folderFor("a1111-embeddings");
  test::writeFloatTensors(folder / "EasyStyle.safetensors",
                          {test::drawnTensor("emb_params", {3, 8}, 1)},
                          {{"step", "1500"}});
  test::writeFloatTensors(folder / "other.safetensors",
                          {test::drawnTensor("string_to_param.*", {8}, 2)});
  test::writeFloatTensors(folder / "wide.safetensors",
                          {test::drawnTensor("emb_params", {2, 16}, 3)});
  test::writeFloatTensors(
      folder / "lora.safetensors",
      {test::drawnTensor("a", {2}, 4), test::drawnTensor("b", {2}, 5)});
  std::vector<std::string> warnings;
  const EmbeddingLibrary library(folder, 8, warnings);
  ASSERT_EQ(library.loaded().size(), 2u);
  const Embedding &style = library.loaded().at("EasyStyle");
  EXPECT_EQ(style.vectors, 3);
  EXPECT_EQ(style.step, 1500);
  EXPECT_EQ(style.values, test::drawValues(24, 1));
  EXPECT_EQ(library.loaded().at("other").vectors, 1);
  ASSERT_EQ(library.skipped().size(), 1u);
  EXPECT_EQ(library.skipped().at("wide").width, 16);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("lora.safetensors holds 2 tensors"),
            std::string::npos);
  EXPECT_THROW(EmbeddingLibrary(folder / "missing", 8, warnings), Error);
}

TEST(Embeddings, NamesMatchAsWordsInAnyCase) {
  std::vector<std::string> warnings;
  EmbeddingLibrary library;
  for (const char *name : {"style", "stylex", "<s1>"})
    library.add({name, "", 1, 0, {}, {}}, warnings);
  auto matched = [&](std::string_view text, size_t at) {
    const Embedding *found = library.match(text, at);
    return found ? found->name : std::string("-");
  };
  EXPECT_EQ(matched("a Style,", 2), "style");
  EXPECT_EQ(matched("stylex", 0), "stylex");
  EXPECT_EQ(matched("styles", 0), "-");
  EXPECT_EQ(matched("mystyle", 2), "-");
  EXPECT_EQ(matched("x<s1><s1>", 1), "<s1>");
  EXPECT_EQ(matched("x<s1><s1>", 5), "<s1>");
}

TEST(Embeddings, PromptWordsTakeOnePositionPerVector) {
  const ClipTokenizer tokenizer =
      ClipTokenizer::fromDiffusersFolder(kTokenizer);
  std::vector<std::string> warnings;
  EmbeddingLibrary library(768);
  for (Embedding &token : readEmbeddings(kDisney))
    library.add(std::move(token), warnings);
  library.add({"three", "", 3, 768, std::vector<float>(3 * 768, 0.25f), {}},
              warnings);

  const PromptChunks chunks = tokenizePrompt(
      tokenizer, "baby lion in style of <s1><s2>, (three:1.5)", &library);
  const std::vector<int32_t> plain = tokenizer.encode("baby lion in style of");
  ASSERT_EQ(chunks.count(), 1u);
  ASSERT_EQ(chunks.embeddings.size(), 3u);
  EXPECT_EQ(chunks.embeddings[0].offset, 1 + plain.size());
  EXPECT_EQ(chunks.embeddings[0].embedding->name, "<s1>");
  EXPECT_EQ(chunks.embeddings[1].offset, 2 + plain.size());
  EXPECT_EQ(chunks.embeddings[1].embedding->name, "<s2>");
  // After the comma; its three positions carry the emphasis.
  const size_t three = 4 + plain.size();
  EXPECT_EQ(chunks.embeddings[2].offset, three);
  for (size_t i = three; i < three + 3; ++i)
    EXPECT_FLOAT_EQ(chunks.weights[i], 1.5f);
  EXPECT_EQ(chunks.ids[three + 3], ClipTokenizer::kEndOfText);

  // 74 words and a three-vector embedding: it starts the second chunk.
  std::string words;
  for (int i = 0; i < 74; ++i)
    words += "cat ";
  const PromptChunks spilled =
      tokenizePrompt(tokenizer, words + "three", &library);
  ASSERT_EQ(spilled.count(), 2u);
  ASSERT_EQ(spilled.embeddings.size(), 1u);
  EXPECT_EQ(spilled.embeddings[0].offset, 77u + 1);
  // Without the library the same words are text.
  EXPECT_TRUE(tokenizePrompt(tokenizer, "<s1> three").embeddings.empty());
}

TEST(Embeddings, EmbeddingsLongerThanAChunkAreRefused) {
  const ClipTokenizer tokenizer =
      ClipTokenizer::fromDiffusersFolder(kTokenizer);
  std::vector<std::string> warnings;
  EmbeddingLibrary library;
  library.add({"huge", "", 76, 0, {}, {}}, warnings);
  EXPECT_THROW(tokenizePrompt(tokenizer, "a huge b", &library), Error);
}

} // namespace
} // namespace avila
