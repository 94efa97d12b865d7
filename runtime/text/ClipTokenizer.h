//===- ClipTokenizer.h - CLIP's byte-level BPE tokenizer ---------*- C++
//-*-===//
//
// The tokenizer SD 1.x was trained with, byte-exact with the reference:
// HTML-unescape twice, NFC, whitespace runs to one space, lower-case; split
// with CLIP's pattern (the two special tokens, English contractions, letter
// runs, single digits, runs of anything else); map each piece's UTF-8 bytes
// to printable characters, mark its end with </w> and apply the merges in
// rank order.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_TEXT_CLIPTOKENIZER_H
#define AVILA_RUNTIME_TEXT_CLIPTOKENIZER_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace avila {

class ClipTokenizer {
public:
  static constexpr int32_t kStartOfText = 49406;
  static constexpr int32_t kEndOfText = 49407;
  /// The text encoder's context: start, 75 tokens, end.
  static constexpr int kContextLength = 77;

  /// From a diffusers `tokenizer/` folder (vocab.json + merges.txt).
  static ClipTokenizer fromDiffusersFolder(const std::filesystem::path &folder);
  /// From OpenAI's `bpe_simple_vocab_16e6.txt.gz`.
  static ClipTokenizer fromBpeArchive(const std::filesystem::path &file);
  /// The first of: `explicitPath` (a tokenizer folder, a diffusers model
  /// folder or the .gz file), the model's own `tokenizer/` folder when
  /// `model` is a diffusers folder, then the search path (docs/generation.md).
  static ClipTokenizer locate(const std::filesystem::path &explicitPath,
                              const std::filesystem::path &model);

  /// The ids of `text` without start and end tokens, untruncated.
  std::vector<int32_t> encode(const std::string &text) const;
  /// What SD's text encoder reads: start, at most 75 ids, end, padded with
  /// the end token to 77.
  std::vector<int32_t> encodeForTextEncoder(const std::string &text) const;

  /// The text of `ids`: each token's symbols mapped back to bytes, </w> as a
  /// space. decode(encode(t)) is t normalized, up to spaces.
  std::string decode(const std::vector<int32_t> &ids) const;

  int32_t commaId() const { return comma; }

private:
  ClipTokenizer(std::unordered_map<std::string, int32_t> vocabulary,
                const std::vector<std::string> &merges,
                std::filesystem::path origin);
  std::vector<int32_t> encodePiece(const std::string &piece) const;

  std::unordered_map<std::string, int32_t> vocabulary;
  std::vector<std::string> tokenOf;
  // "left right" → rank.
  std::unordered_map<std::string, int> mergeRanks;
  int32_t comma = -1;
  std::filesystem::path origin;
};

/// The cleanup before splitting: HTML entities decoded (twice, as the
/// reference does), NFC, whitespace runs collapsed and trimmed, lower case.
/// Throws avila::Error for text that is not UTF-8.
std::string normalizePromptText(const std::string &text);

} // namespace avila

#endif // AVILA_RUNTIME_TEXT_CLIPTOKENIZER_H
