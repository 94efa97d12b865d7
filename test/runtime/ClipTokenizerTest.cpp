//===- ClipTokenizerTest.cpp - Token ids exactly as the reference's -------===//

#include "runtime/text/ClipTokenizer.h"

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <unistd.h>

namespace avila {
namespace {

const std::string kGolden = AVILA_SHARED_DIR "/golden/tiny-sd";

const ClipTokenizer &diffusersTokenizer() {
  static const ClipTokenizer tokenizer =
      ClipTokenizer::fromDiffusersFolder(kGolden + "/diffusers-fp16/tokenizer");
  return tokenizer;
}

const ClipTokenizer &archiveTokenizer() {
  static const ClipTokenizer tokenizer = ClipTokenizer::fromBpeArchive(
      AVILA_SHARED_DIR "/data/clip/bpe_simple_vocab_16e6.txt.gz");
  return tokenizer;
}

TEST(ClipTokenizer, GoldenPromptsGiveTheGoldenIdsFromEitherVocabulary) {
  // cases.json has -Infinity in scheduler settings; only "prompts" is read.
  std::ifstream stream(kGolden + "/cases.json");
  std::string text((std::istreambuf_iterator<char>(stream)), {});
  for (size_t at; (at = text.find("-Infinity")) != text.npos;)
    text.replace(at, 9, "null");
  const std::vector<std::string> prompts =
      nlohmann::json::parse(text)["prompts"];
  const SafetensorsFile cases(kGolden + "/cases.safetensors");
  const TensorEntry *ids = cases.find("tokenizer.ids");
  ASSERT_TRUE(ids);
  ASSERT_EQ(ids->shape, (std::vector<int64_t>{8, 77}));
  ASSERT_EQ(prompts.size(), 8u);
  for (size_t p = 0; p < prompts.size(); ++p) {
    std::vector<int32_t> expected(77);
    std::memcpy(expected.data(), ids->bytes.data() + p * 77 * 4, 77 * 4);
    EXPECT_EQ(diffusersTokenizer().encodeForTextEncoder(prompts[p]), expected)
        << "prompt " << p << ": " << prompts[p];
    EXPECT_EQ(archiveTokenizer().encodeForTextEncoder(prompts[p]), expected)
        << "prompt " << p << ": " << prompts[p];
  }
}

int32_t id(const std::string &token) {
  std::vector<int32_t> ids = diffusersTokenizer().encode(token);
  EXPECT_EQ(ids.size(), 1u) << token;
  return ids.empty() ? -1 : ids[0];
}

TEST(ClipTokenizer, SplitsLikeThePreTokenizerPattern) {
  const ClipTokenizer &t = diffusersTokenizer();
  // Contractions split off; the apostrophe alone joins punctuation runs.
  EXPECT_EQ(t.encode("don't"), (std::vector<int32_t>{id("don"), id("'t")}));
  EXPECT_EQ(t.encode("it's"), (std::vector<int32_t>{id("it"), id("'s")}));
  EXPECT_EQ(t.encode("rock'n"), t.encode("rock 'n"));
  // Every digit is its own piece.
  EXPECT_EQ(t.encode("314"), (std::vector<int32_t>{id("3"), id("1"), id("4")}));
  // Punctuation runs stay together; letters end them.
  EXPECT_EQ(t.encode("wow!!"), (std::vector<int32_t>{id("wow"), id("!!")}));
  EXPECT_EQ(t.encode("a,b"), (std::vector<int32_t>{id("a"), id(","), id("b")}));
  // The special tokens are recognized inside text.
  EXPECT_EQ(t.encode("x<|endoftext|>"),
            (std::vector<int32_t>{id("x"), ClipTokenizer::kEndOfText}));
}

TEST(ClipTokenizer, NormalizesCaseWhitespaceEntitiesAndComposition) {
  const ClipTokenizer &t = diffusersTokenizer();
  EXPECT_EQ(t.encode("  A   CAT\t\n on\u00a0a mat "),
            t.encode("a cat on a mat"));
  EXPECT_EQ(t.encode("salt &amp; pepper"), t.encode("salt & pepper"));
  EXPECT_EQ(t.encode("salt &amp;amp; pepper"), t.encode("salt & pepper"));
  EXPECT_EQ(t.encode("&#65;&#x42;"), t.encode("ab"));
  // Decomposed e + combining acute composes to é (one letter run).
  EXPECT_EQ(t.encode("cafe\u0301"), t.encode("caf\u00e9"));
  EXPECT_EQ(t.encode("CAFÉ ÜBER"), t.encode("café über"));
  EXPECT_EQ(t.encode(""), std::vector<int32_t>{});
  EXPECT_EQ(t.encode(" \t\n"), std::vector<int32_t>{});
}

TEST(ClipTokenizer, RoundTripsUnicodeEmojiAndPunctuation) {
  const ClipTokenizer &t = diffusersTokenizer();
  for (const std::string text :
       {"café crème brûlée", "東京タワー 🚀🚀 emoji", "red-blue_green/yellow",
        "3.14159 o'clock", "a—b…c “quoted”", "Ωmega 𝔘nicode ﬁ"}) {
    std::string expected;
    for (char c : normalizePromptText(text))
      if (c != ' ')
        expected += c;
    std::string decoded;
    for (char c : t.decode(t.encode(text)))
      if (c != ' ')
        decoded += c;
    EXPECT_EQ(decoded, expected) << text;
  }
}

TEST(ClipTokenizer, LongPromptsKeepTheEndTokenLast) {
  const ClipTokenizer &t = diffusersTokenizer();
  std::string text;
  for (int i = 0; i < 100; ++i)
    text += "word" + std::to_string(i % 10) + " ";
  ASSERT_GT(t.encode(text).size(), 150u);
  const std::vector<int32_t> ids = t.encodeForTextEncoder(text);
  ASSERT_EQ(ids.size(), 77u);
  EXPECT_EQ(ids.front(), ClipTokenizer::kStartOfText);
  EXPECT_EQ(ids.back(), ClipTokenizer::kEndOfText);
  const std::vector<int32_t> all = t.encode(text);
  EXPECT_EQ(std::vector<int32_t>(ids.begin() + 1, ids.end() - 1),
            std::vector<int32_t>(all.begin(), all.begin() + 75));
}

TEST(ClipTokenizer, ShortPromptsArePaddedWithTheEndToken) {
  const std::vector<int32_t> ids =
      diffusersTokenizer().encodeForTextEncoder("cat");
  EXPECT_EQ(ids[0], ClipTokenizer::kStartOfText);
  EXPECT_EQ(ids[1], id("cat"));
  for (size_t i = 2; i < ids.size(); ++i)
    EXPECT_EQ(ids[i], ClipTokenizer::kEndOfText);
}

TEST(ClipTokenizer, RefusesInvalidUtf8AndBadFiles) {
  EXPECT_THROW(diffusersTokenizer().encode("bad \xff byte"), Error);
  EXPECT_THROW(diffusersTokenizer().encode("cut \xe6\x9d"), Error);
  EXPECT_THROW(ClipTokenizer::fromDiffusersFolder("/nonexistent"), Error);
  EXPECT_THROW(ClipTokenizer::fromBpeArchive(kGolden + "/cases.json"), Error);
  EXPECT_THROW(ClipTokenizer::locate("/nonexistent/tokenizer", ""), Error);
}

std::string refusal(const std::function<void()> &load) {
  try {
    load();
  } catch (const Error &error) {
    return error.what();
  }
  return "accepted";
}

class TokenizerFiles : public ::testing::Test {
protected:
  void SetUp() override {
    folder = std::filesystem::temp_directory_path() /
             ("avila-tokenizer-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(folder);
  }
  void TearDown() override { std::filesystem::remove_all(folder); }
  std::filesystem::path folder;
};

// 64 MiB of zeros in a 64 KiB gzip file: refused while inflating, not read
// whole (a 2 MB bomb used to take 19 GB).
TEST_F(TokenizerFiles, RefusesAGzipBombQuickly) {
  const std::filesystem::path bomb = folder / "bomb.txt.gz";
  gzFile file = gzopen(bomb.c_str(), "wb9");
  ASSERT_NE(file, nullptr);
  const std::vector<char> zeros(1 << 20, '\0');
  for (int i = 0; i < 64; ++i)
    ASSERT_EQ(gzwrite(file, zeros.data(), zeros.size()), int(zeros.size()));
  gzclose(file);
  EXPECT_LT(std::filesystem::file_size(bomb), 1u << 20);
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromBpeArchive(bomb); }),
            bomb.string() +
                " inflates to more than 16777216 bytes; a CLIP vocabulary is "
                "1.4 MB");
  // Small enough, but more lines than any vocabulary has.
  file = gzopen(bomb.c_str(), "wb9");
  const std::string newlines((1 << 20) + 1, '\n');
  gzwrite(file, newlines.data(), newlines.size());
  gzclose(file);
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromBpeArchive(bomb); }),
            bomb.string() + " has more than 1048576 lines");
}

TEST_F(TokenizerFiles, RefusesAnArchiveThatIsNotGzipByItsContent) {
  const std::filesystem::path text = folder / "bpe_simple_vocab_16e6.txt.gz";
  std::ofstream(text) << "#version: 0.2\ni n\nt h\n";
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromBpeArchive(text); }),
            text.string() + " is not a gzip file (it does not start with the "
                            "gzip signature)");
  // The real archive cut short.
  std::ifstream real(AVILA_SHARED_DIR "/data/clip/bpe_simple_vocab_16e6.txt.gz",
                     std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(real)),
                    std::istreambuf_iterator<char>());
  std::ofstream(text, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromBpeArchive(text); }),
            text.string() + " is not a valid gzip file (truncated)");
}

TEST_F(TokenizerFiles, RefusesHugeOrMisnumberedDiffusersFiles) {
  std::filesystem::copy(kGolden + "/diffusers-fp16/tokenizer/merges.txt",
                        folder / "merges.txt");
  // An id far beyond the vocabulary would size the id-to-token table.
  std::ofstream(folder / "vocab.json")
      << R"({"<|startoftext|>": 49406, "<|endoftext|>": 49407, "x": 2000000000})";
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromDiffusersFolder(folder); }),
            (folder / "vocab.json").string() +
                ": token 'x' has no valid id (ids are 0..1048575)");
  std::filesystem::resize_file(folder / "vocab.json", 17 << 20);
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromDiffusersFolder(folder); }),
            (folder / "vocab.json").string() +
                " has 17825792 bytes; at most 16777216 are read");
  std::filesystem::remove(folder / "vocab.json");
  std::filesystem::create_directory(folder / "vocab.json");
  EXPECT_EQ(refusal([&] { ClipTokenizer::fromDiffusersFolder(folder); }),
            (folder / "vocab.json").string() + " is a directory, not a file");
}

TEST(ClipTokenizer, FindsTheTokenizerOfADiffusersFolder) {
  const ClipTokenizer found =
      ClipTokenizer::locate("", kGolden + "/diffusers-fp16");
  EXPECT_EQ(found.encode("a horse"), diffusersTokenizer().encode("a horse"));
}

} // namespace
} // namespace avila
