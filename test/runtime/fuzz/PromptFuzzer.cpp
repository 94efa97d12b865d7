//===- PromptFuzzer.cpp - libFuzzer target for prompts and infotext -------===//
//
// Prompts and infotext arrive from users (and, with the server, from the
// network): any bytes must tokenize, parse or be refused with avila::Error.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/pipeline/Infotext.h"
#include "runtime/text/WeightedPrompt.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const avila::ClipTokenizer tokenizer =
      avila::ClipTokenizer::fromDiffusersFolder(
          AVILA_SHARED_DIR "/golden/tiny-sd/diffusers-fp16/tokenizer");
  const std::string text(reinterpret_cast<const char *>(data), size);
  try {
    (void)avila::parsePromptEmphasis(text);
    const avila::PromptChunks chunks = avila::tokenizePrompt(tokenizer, text);
    if (chunks.ids.size() != chunks.weights.size() ||
        chunks.ids.size() % avila::ClipTokenizer::kContextLength != 0)
      __builtin_trap();
    (void)tokenizer.decode(tokenizer.encode(text));
  } catch (const avila::Error &) {
  }
  try {
    (void)avila::parametersFromInfotext(text);
  } catch (const avila::Error &) {
  }
  return 0;
}
