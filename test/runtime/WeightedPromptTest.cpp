//===- WeightedPromptTest.cpp - A1111 emphasis and chunking ---------------===//

#include "runtime/text/WeightedPrompt.h"

#include "runtime/base/Error.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

using Spans = std::vector<PromptSpan>;

TEST(PromptEmphasis, BracketsAndExplicitWeights) {
  EXPECT_EQ(parsePromptEmphasis("a cat"), (Spans{{"a cat", 1.0}}));
  EXPECT_EQ(parsePromptEmphasis("a (cat)"), (Spans{{"a ", 1.0}, {"cat", 1.1}}));
  EXPECT_EQ(parsePromptEmphasis("a [cat]"),
            (Spans{{"a ", 1.0}, {"cat", 1 / 1.1}}));
  EXPECT_EQ(parsePromptEmphasis("(oil painting:1.2), dog"),
            (Spans{{"oil painting", 1.2}, {", dog", 1.0}}));
  EXPECT_EQ(parsePromptEmphasis("((cat))"), (Spans{{"cat", 1.1 * 1.1}}));
  EXPECT_EQ(parsePromptEmphasis("(a (b:2) c)"),
            (Spans{{"a ", 1.1}, {"b", 2.0 * 1.1}, {" c", 1.1}}));
}

TEST(PromptEmphasis, EscapesStrayBracketsAndUnclosedGroups) {
  EXPECT_EQ(parsePromptEmphasis("\\(literal\\)"), (Spans{{"(literal)", 1.0}}));
  EXPECT_EQ(parsePromptEmphasis("smile :) ok"), (Spans{{"smile :) ok", 1.0}}));
  EXPECT_EQ(parsePromptEmphasis("ratio 16:9"), (Spans{{"ratio 16:9", 1.0}}));
  EXPECT_EQ(parsePromptEmphasis("(open ended"), (Spans{{"open ended", 1.1}}));
  EXPECT_EQ(parsePromptEmphasis("[a (b"),
            (Spans{{"a ", 1 / 1.1}, {"b", 1.1 / 1.1}}));
  EXPECT_EQ(parsePromptEmphasis(""), (Spans{{"", 1.0}}));
}

TEST(PromptEmphasis, BreakSplitsChunks) {
  const Spans spans = parsePromptEmphasis("a cat BREAK a dog");
  ASSERT_EQ(spans.size(), 3u);
  EXPECT_EQ(spans[0].text, "a cat");
  EXPECT_TRUE(spans[1].isBreak);
  EXPECT_EQ(spans[2].text, "a dog");
  EXPECT_EQ(parsePromptEmphasis("BREAKFAST"), (Spans{{"BREAKFAST", 1.0}}));
}

// Weights that overflow or drown the embedding are refused by name, not
// turned into a black image.
TEST(PromptEmphasis, RefusesUnboundedWeightsAndNesting) {
  auto refusal = [](const std::string &prompt) -> std::string {
    try {
      parsePromptEmphasis(prompt);
    } catch (const Error &error) {
      return error.what();
    }
    return "accepted";
  };
  EXPECT_EQ(refusal("(cat:1000)"),
            "prompt weight 1000 is outside -100..100 (nested brackets "
            "multiply)");
  EXPECT_EQ(refusal("(cat:-101)"),
            "prompt weight -101 is outside -100..100 (nested brackets "
            "multiply)");
  EXPECT_EQ(refusal("(cat:1" + std::string(400, '0') + ")"),
            "prompt weight inf is outside -100..100 (nested brackets "
            "multiply)");
  EXPECT_EQ(refusal("((cat:0):1" + std::string(400, '0') + ")"),
            "prompt weight NaN is outside -100..100 (nested brackets "
            "multiply)");
  EXPECT_EQ(refusal(std::string(1000, '(') + "cat" + std::string(1000, ')')),
            "prompt brackets nest deeper than 64 levels");
  EXPECT_EQ(refusal(std::string(65, '[') + "cat"),
            "prompt brackets nest deeper than 64 levels");
  // 1.1^49 = 106.7: within the nesting limit, over the weight limit.
  EXPECT_EQ(refusal(std::string(49, '(') + "cat").substr(0, 18),
            "prompt weight 106.");
  std::string deepest;
  for (int level = 0; level < 32; ++level)
    deepest = "([" + deepest + "])";
  deepest.insert(64, "dog");
  EXPECT_EQ(refusal("((cat:1000):0.01) " + deepest + std::string(64, '[')),
            "accepted");
  EXPECT_EQ(refusal("(" + deepest + ")"),
            "prompt brackets nest deeper than 64 levels");
  EXPECT_EQ(parsePromptEmphasis("(cat:100) (dog:-100)"),
            (Spans{{"cat", 100.0}, {" ", 1.0}, {"dog", -100.0}}));
}

const ClipTokenizer &tokenizer() {
  static const ClipTokenizer loaded = ClipTokenizer::fromDiffusersFolder(
      AVILA_SHARED_DIR "/golden/tiny-sd/diffusers-fp16/tokenizer");
  return loaded;
}

TEST(PromptChunks, ShortPromptsAreOneUnweightedChunkLikeTheTokenizer) {
  const PromptChunks chunks = tokenizePrompt(tokenizer(), "a red cube");
  EXPECT_EQ(chunks.count(), 1u);
  EXPECT_FALSE(chunks.weighted());
  EXPECT_EQ(chunks.ids, tokenizer().encodeForTextEncoder("a red cube"));
}

TEST(PromptChunks, WeightsFollowTheirTokens) {
  const PromptChunks chunks = tokenizePrompt(tokenizer(), "a (red:1.5) cube");
  EXPECT_TRUE(chunks.weighted());
  EXPECT_EQ(chunks.ids, tokenizer().encodeForTextEncoder("a red cube"));
  EXPECT_EQ(chunks.weights[1], 1.0f);
  EXPECT_EQ(chunks.weights[2], 1.5f);
  EXPECT_EQ(chunks.weights[3], 1.0f);
}

TEST(PromptChunks, LongPromptsBecomeSeveralChunksEachWithStartAndEnd) {
  std::string prompt;
  for (int i = 0; i < 100; ++i)
    prompt += "cat ";
  const PromptChunks chunks = tokenizePrompt(tokenizer(), prompt);
  ASSERT_EQ(chunks.count(), 2u);
  for (size_t c = 0; c < 2; ++c) {
    EXPECT_EQ(chunks.ids[c * 77], ClipTokenizer::kStartOfText);
    EXPECT_EQ(chunks.ids[c * 77 + 76], ClipTokenizer::kEndOfText);
  }
  // 100 tokens: 75 in the first chunk, 25 and padding in the second.
  EXPECT_EQ(chunks.ids[77 + 25], tokenizer().encode("cat")[0]);
  EXPECT_EQ(chunks.ids[77 + 26], ClipTokenizer::kEndOfText);
}

TEST(PromptChunks, AFullChunkBreaksAfterItsLastComma) {
  // 70 words, a comma, then 10 more: the chunk would fill up 4 tokens past
  // the comma, so those words move on together.
  std::string prompt;
  for (int i = 0; i < 70; ++i)
    prompt += "cat ";
  prompt += ", ";
  for (int i = 0; i < 10; ++i)
    prompt += "dog ";
  const PromptChunks chunks = tokenizePrompt(tokenizer(), prompt);
  ASSERT_EQ(chunks.count(), 2u);
  const int32_t comma = tokenizer().commaId();
  EXPECT_EQ(chunks.ids[71], comma);
  EXPECT_EQ(chunks.ids[72], ClipTokenizer::kEndOfText);
  EXPECT_EQ(chunks.ids[78], tokenizer().encode("dog")[0]);
}

TEST(PromptChunks, BreakStartsANewChunk) {
  const PromptChunks chunks = tokenizePrompt(tokenizer(), "cat BREAK dog");
  ASSERT_EQ(chunks.count(), 2u);
  EXPECT_EQ(chunks.ids[1], tokenizer().encode("cat")[0]);
  EXPECT_EQ(chunks.ids[78], tokenizer().encode("dog")[0]);
}

} // namespace
} // namespace avila
