//===- WeightedPrompt.cpp - A1111 prompt syntax: emphasis and chunks ------===//

#include "runtime/text/WeightedPrompt.h"

#include "runtime/base/Error.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace avila {
namespace {

constexpr double kRoundBracket = 1.1;
constexpr int kChunkTokens = ClipTokenizer::kContextLength - 2;
constexpr int kCommaBacktrack = 20;
// Far beyond any weight that steers an image (A1111's users stay within
// about 0.5..2) and any nesting written by hand; beyond them the embedding
// overflows or drowns in the rescaling and the image comes out black.
constexpr double kMaxWeight = 100;
constexpr size_t kMaxNesting = 64;

// Splits plain text at the word BREAK (surrounding whitespace dropped).
std::vector<std::string> splitAtBreak(const std::string &text) {
  std::vector<std::string> parts(1);
  size_t i = 0;
  auto isWordChar = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  while (i < text.size()) {
    if (text.compare(i, 5, "BREAK") == 0 &&
        (i == 0 || !isWordChar(text[i - 1])) &&
        (i + 5 == text.size() || !isWordChar(text[i + 5]))) {
      while (!parts.back().empty() &&
             std::isspace(static_cast<unsigned char>(parts.back().back())))
        parts.back().pop_back();
      parts.emplace_back();
      i += 5;
      while (i < text.size() &&
             std::isspace(static_cast<unsigned char>(text[i])))
        ++i;
      continue;
    }
    parts.back() += text[i++];
  }
  return parts;
}

// ":<number>)" at `at`, as A1111's `:\s*([+-]?[.\d]+)\s*\)`.
bool matchWeightClose(const std::string &text, size_t at, double &weight,
                      size_t &length) {
  size_t i = at + 1;
  auto skipSpace = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
  };
  skipSpace();
  const size_t numberStart = i;
  if (i < text.size() && (text[i] == '+' || text[i] == '-'))
    ++i;
  const size_t digitsStart = i;
  while (i < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == digitsStart)
    return false;
  const std::string number = text.substr(numberStart, i - numberStart);
  skipSpace();
  if (i >= text.size() || text[i] != ')')
    return false;
  char *end = nullptr;
  weight = std::strtod(number.c_str(), &end);
  if (*end != '\0')
    return false; // "1.2.3" is text, as float() would refuse it
  length = i + 1 - at;
  return true;
}

// A token, or an embedding's vectors.
struct Piece {
  int32_t token;
  const Embedding *embedding;
};

std::vector<Piece> piecesOf(const ClipTokenizer &tokenizer,
                            const std::string &text,
                            const EmbeddingLibrary *embeddings) {
  std::vector<Piece> pieces;
  size_t start = 0;
  auto encodeUpTo = [&](size_t end) {
    for (int32_t token : tokenizer.encode(text.substr(start, end - start)))
      pieces.push_back({token, nullptr});
  };
  for (size_t i = 0; embeddings && i < text.size();) {
    const Embedding *embedding = embeddings->match(text, i);
    if (!embedding) {
      ++i;
      continue;
    }
    encodeUpTo(i);
    pieces.push_back({0, embedding});
    i += embedding->name.size();
    start = i;
  }
  encodeUpTo(text.size());
  return pieces;
}

} // namespace

std::vector<PromptSpan> parsePromptEmphasis(const std::string &prompt) {
  std::vector<PromptSpan> spans;
  std::vector<size_t> round, square;
  auto multiply = [&](size_t from, double factor) {
    for (size_t i = from; i < spans.size(); ++i)
      spans[i].weight *= factor;
  };
  for (size_t i = 0; i < prompt.size();) {
    const char c = prompt[i];
    double weight;
    size_t length;
    if (c == '\\') {
      const bool escapes = i + 1 < prompt.size() &&
                           std::string_view("()[]\\").find(prompt[i + 1]) !=
                               std::string_view::npos;
      spans.push_back({escapes ? prompt.substr(i + 1, 1) : "", 1.0});
      i += escapes ? 2 : 1;
    } else if (c == '(' || c == '[') {
      if (round.size() + square.size() == kMaxNesting)
        fail("prompt brackets nest deeper than " + std::to_string(kMaxNesting) +
             " levels");
      (c == '(' ? round : square).push_back(spans.size());
      ++i;
    } else if (c == ':' && !round.empty() &&
               matchWeightClose(prompt, i, weight, length)) {
      multiply(round.back(), weight);
      round.pop_back();
      i += length;
    } else if (c == ')' && !round.empty()) {
      multiply(round.back(), kRoundBracket);
      round.pop_back();
      ++i;
    } else if (c == ']' && !square.empty()) {
      multiply(square.back(), 1 / kRoundBracket);
      square.pop_back();
      ++i;
    } else {
      // A run of plain text (or one stray bracket or colon).
      size_t end = i + 1;
      if (std::string_view("()[]:").find(c) == std::string_view::npos)
        while (end < prompt.size() &&
               std::string_view("\\()[]:").find(prompt[end]) ==
                   std::string_view::npos)
          ++end;
      const std::vector<std::string> parts =
          splitAtBreak(prompt.substr(i, end - i));
      for (size_t p = 0; p < parts.size(); ++p) {
        if (p > 0)
          spans.push_back({"BREAK", -1, true});
        spans.push_back({parts[p], 1.0});
      }
      i = end;
    }
  }
  for (size_t position : round)
    multiply(position, kRoundBracket);
  for (size_t position : square)
    multiply(position, 1 / kRoundBracket);
  for (const PromptSpan &span : spans)
    if (!span.isBreak && !(std::fabs(span.weight) <= kMaxWeight)) {
      std::ostringstream message;
      message << "prompt weight ";
      if (std::isnan(span.weight))
        message << "NaN"; // printf's "nan" or "-nan" depends on the bits
      else
        message << span.weight;
      message << " is outside -" << kMaxWeight << ".." << kMaxWeight
              << " (nested brackets multiply)";
      fail(message.str());
    }
  if (spans.empty())
    spans.push_back({"", 1.0});
  std::vector<PromptSpan> merged;
  for (PromptSpan &span : spans) {
    if (!merged.empty() && !span.isBreak && !merged.back().isBreak &&
        merged.back().weight == span.weight)
      merged.back().text += span.text;
    else
      merged.push_back(std::move(span));
  }
  return merged;
}

bool PromptChunks::weighted() const {
  for (float weight : weights)
    if (weight != 1.0f)
      return true;
  return false;
}

PromptChunks tokenizePrompt(const ClipTokenizer &tokenizer,
                            const std::string &prompt,
                            const EmbeddingLibrary *embeddings) {
  PromptChunks chunks;
  std::vector<int32_t> ids;
  std::vector<float> weights;
  // The embeddings of the chunk being filled, by position in `ids`.
  std::vector<EmbeddingUse> uses;
  int lastComma = -1;
  auto finishChunk = [&] {
    for (EmbeddingUse &use : uses) {
      use.offset += chunks.ids.size() + 1;
      chunks.embeddings.push_back(use);
    }
    uses.clear();
    ids.resize(kChunkTokens, ClipTokenizer::kEndOfText);
    weights.resize(kChunkTokens, 1.0f);
    chunks.ids.push_back(ClipTokenizer::kStartOfText);
    chunks.ids.insert(chunks.ids.end(), ids.begin(), ids.end());
    chunks.ids.push_back(ClipTokenizer::kEndOfText);
    chunks.weights.push_back(1.0f);
    chunks.weights.insert(chunks.weights.end(), weights.begin(), weights.end());
    chunks.weights.push_back(1.0f);
    ids.clear();
    weights.clear();
    lastComma = -1;
  };
  for (const PromptSpan &span : parsePromptEmphasis(prompt)) {
    if (span.isBreak) {
      finishChunk();
      continue;
    }
    for (const Piece &piece : piecesOf(tokenizer, span.text, embeddings)) {
      const float weight = static_cast<float>(span.weight);
      if (piece.embedding) {
        const int64_t vectors = piece.embedding->vectors;
        if (vectors > kChunkTokens)
          fail("embedding '" + piece.embedding->name + "' has " +
               std::to_string(vectors) + " vectors; a chunk holds " +
               std::to_string(kChunkTokens));
        if (static_cast<int64_t>(ids.size()) + vectors > kChunkTokens)
          finishChunk();
        uses.push_back({ids.size(), piece.embedding});
        ids.insert(ids.end(), vectors, piece.token);
        weights.insert(weights.end(), vectors, weight);
        continue;
      }
      if (piece.token == tokenizer.commaId()) {
        lastComma = static_cast<int>(ids.size());
      } else if (static_cast<int>(ids.size()) == kChunkTokens &&
                 lastComma != -1 &&
                 kChunkTokens - lastComma <= kCommaBacktrack) {
        // Move the words after the last comma (and the embeddings among
        // them) to the next chunk.
        const size_t moved = static_cast<size_t>(lastComma) + 1;
        const std::vector<int32_t> movedIds(ids.begin() + moved, ids.end());
        const std::vector<float> movedWeights(weights.begin() + moved,
                                              weights.end());
        std::vector<EmbeddingUse> movedUses;
        std::erase_if(uses, [&](const EmbeddingUse &use) {
          if (use.offset < moved)
            return false;
          movedUses.push_back({use.offset - moved, use.embedding});
          return true;
        });
        ids.resize(moved);
        weights.resize(moved);
        finishChunk();
        ids = movedIds;
        weights = movedWeights;
        uses = movedUses;
      }
      if (static_cast<int>(ids.size()) == kChunkTokens)
        finishChunk();
      ids.push_back(piece.token);
      weights.push_back(weight);
    }
  }
  if (!ids.empty() || chunks.ids.empty())
    finishChunk();
  return chunks;
}

} // namespace avila
