//===- PromptLoras.cpp - A1111's <lora:name:multiplier> in prompts --------===//

#include "runtime/text/PromptLoras.h"

#include "runtime/base/Error.h"
#include "runtime/base/ParseNumber.h"

#include <cctype>

namespace avila {
namespace {

// Beyond this a LoRA's change swamps the weights it is added to.
constexpr double kMaxMultiplier = 100;

std::vector<std::string> splitAtColons(const std::string &text) {
  std::vector<std::string> parts(1);
  for (char c : text)
    if (c == ':')
      parts.emplace_back();
    else
      parts.back() += c;
  return parts;
}

std::string trimmed(const std::string &text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  return text.substr(begin, end - begin);
}

PromptLora parseTag(const std::string &tag, const std::string &arguments) {
  const std::vector<std::string> parts = splitAtColons(arguments);
  const std::string what = "<" + tag + ":" + arguments + ">";
  PromptLora lora{trimmed(parts[0])};
  if (lora.name.empty())
    fail(what + " names no LoRA");
  if (parts.size() > 3)
    fail(what + " has more than two multipliers (<lora:name:te:unet>)");
  auto multiplier = [&](const std::string &text) {
    return parseBounded<double>(what + ": the multiplier", trimmed(text),
                                -kMaxMultiplier, kMaxMultiplier);
  };
  if (parts.size() > 1)
    lora.textEncoderMultiplier = lora.unetMultiplier = multiplier(parts[1]);
  if (parts.size() > 2)
    lora.unetMultiplier = multiplier(parts[2]);
  return lora;
}

} // namespace

LoraPrompt extractLoras(const std::string &prompt) {
  LoraPrompt result;
  size_t i = 0;
  while (i < prompt.size()) {
    const size_t open = prompt.find('<', i);
    if (open == std::string::npos)
      break;
    // A1111's <(\w+):([^>]+)>.
    size_t colon = open + 1;
    while (colon < prompt.size() &&
           (std::isalnum(static_cast<unsigned char>(prompt[colon])) ||
            prompt[colon] == '_'))
      ++colon;
    const size_t close = prompt.find('>', colon);
    const std::string tag = prompt.substr(open + 1, colon - open - 1);
    if (colon == prompt.size() || prompt[colon] != ':' ||
        close == std::string::npos || close == colon + 1 ||
        (tag != "lora" && tag != "lyco")) {
      result.text += prompt.substr(i, open + 1 - i);
      i = open + 1;
      continue;
    }
    result.text += prompt.substr(i, open - i);
    result.loras.push_back(
        parseTag(tag, prompt.substr(colon + 1, close - colon - 1)));
    i = close + 1;
  }
  if (i < prompt.size())
    result.text += prompt.substr(i);
  return result;
}

} // namespace avila
