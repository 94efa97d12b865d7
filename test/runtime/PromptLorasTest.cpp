//===- PromptLorasTest.cpp - A1111's <lora:...> tags in prompts -----------===//

#include "runtime/text/PromptLoras.h"

#include "runtime/base/Error.h"

#include <gtest/gtest.h>

namespace avila {
namespace {

TEST(PromptLoras, TagsAreTakenOutOfTheText) {
  const LoraPrompt parsed =
      extractLoras("a castle <lora:disney:0.8>, night <lyco:film:-0.5>");
  EXPECT_EQ(parsed.text, "a castle , night ");
  ASSERT_EQ(parsed.loras.size(), 2u);
  EXPECT_EQ(parsed.loras[0], (PromptLora{"disney", 0.8, 0.8}));
  EXPECT_EQ(parsed.loras[1], (PromptLora{"film", -0.5, -0.5}));
}

TEST(PromptLoras, MultiplierDefaultsToOneAndMaySplitByNetwork) {
  const LoraPrompt parsed = extractLoras("<lora:a><lora: b :0.5:1.25>x");
  EXPECT_EQ(parsed.text, "x");
  ASSERT_EQ(parsed.loras.size(), 2u);
  EXPECT_EQ(parsed.loras[0], (PromptLora{"a", 1, 1}));
  EXPECT_EQ(parsed.loras[1], (PromptLora{"b", 0.5, 1.25}));
}

TEST(PromptLoras, OtherAngleBracketsStayText) {
  for (const char *prompt : {"<s1><s2> style", "a <lora:> b", "<hypernet:x:1>",
                             "a < b > c", "<lora:unclosed", "lora:x:1>"}) {
    const LoraPrompt parsed = extractLoras(prompt);
    EXPECT_EQ(parsed.text, prompt);
    EXPECT_TRUE(parsed.loras.empty()) << prompt;
  }
}

TEST(PromptLoras, MalformedTagsAreErrors) {
  for (const char *prompt : {"<lora:a:x>", "<lora:a:1:2:3>", "<lora: :1>",
                             "<lora:a:nan>", "<lora:a:1e9>", "<lora:a:0.5.5>"})
    EXPECT_THROW(extractLoras(prompt), Error) << prompt;
}

} // namespace
} // namespace avila
