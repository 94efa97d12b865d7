//===- WeightedPrompt.h - A1111 prompt syntax: emphasis and chunks -*- C++
//-*-===//
//
// Prompts as users of the A1111 web UI write them (docs/generation.md):
//   (word)       weight × 1.1         [word]     weight ÷ 1.1
//   (word:1.3)   weight × 1.3         \( \) \[ \]  literal brackets
//   BREAK        starts a new 75-token chunk
// Unclosed brackets apply to the end of the prompt. Tokens are grouped into
// chunks of 75 (a chunk that fills up breaks after its last comma when that
// comma is within the last 20 tokens); each chunk is encoded as its own
// 77-token sequence and the encodings are concatenated, so long prompts are
// not truncated.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_TEXT_WEIGHTEDPROMPT_H
#define AVILA_RUNTIME_TEXT_WEIGHTEDPROMPT_H

#include "runtime/text/ClipTokenizer.h"
#include "runtime/text/Embeddings.h"

#include <string>
#include <vector>

namespace avila {

struct PromptSpan {
  std::string text;
  double weight;
  bool isBreak = false;

  bool operator==(const PromptSpan &) const = default;
};

/// The prompt's text split into runs of equal weight, in order.
std::vector<PromptSpan> parsePromptEmphasis(const std::string &prompt);

/// A textual-inversion embedding's vectors at ids[offset...]: the ids there
/// are placeholders the text encoder's caller gives the vectors.
struct EmbeddingUse {
  size_t offset;
  const Embedding *embedding;
};

/// Token ids and weights, 77 per chunk (start, 75 tokens or end padding,
/// end).
struct PromptChunks {
  std::vector<int32_t> ids;
  std::vector<float> weights;
  std::vector<EmbeddingUse> embeddings;
  size_t count() const { return ids.size() / ClipTokenizer::kContextLength; }
  bool weighted() const;
};

/// With `embeddings`, a name of one of them stands for its vectors, one
/// token position each; they are not split between chunks (an embedding
/// that does not fit starts the next chunk, as in A1111).
PromptChunks tokenizePrompt(const ClipTokenizer &tokenizer,
                            const std::string &prompt,
                            const EmbeddingLibrary *embeddings = nullptr);

} // namespace avila

#endif // AVILA_RUNTIME_TEXT_WEIGHTEDPROMPT_H
