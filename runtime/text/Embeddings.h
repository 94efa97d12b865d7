//===- Embeddings.h - Textual-inversion embeddings ---------------*- C++-*-===//
//
// A textual-inversion embedding is a few learned token vectors with a name:
// a prompt word equal to the name stands for them, one token position per
// vector (docs/generation.md). Read from the safetensors files of an
// --embeddings-dir: A1111's (one tensor, `emb_params` or `string_to_param.*`,
// named by the file) and cloneofsimo's LoRA files, whose tokens (`<s1>`) are
// tensors marked "<embed>" in the metadata. Embeddings of another width than
// the text encoder's are skipped, as A1111 skips them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_TEXT_EMBEDDINGS_H
#define AVILA_RUNTIME_TEXT_EMBEDDINGS_H

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avila {

struct Embedding {
  /// What prompts write.
  std::string name;
  std::filesystem::path file;
  int64_t vectors = 0;
  int64_t width = 0;
  /// vectors × width values.
  std::vector<float> values;
  /// The training step, where the file says.
  std::optional<int64_t> step;
};

/// The embeddings `file` holds; throws avila::Error for a file that is not
/// a safetensors file or holds no embedding.
std::vector<Embedding> readEmbeddings(const std::filesystem::path &file);

class EmbeddingLibrary {
public:
  EmbeddingLibrary() = default;
  /// Empty, for a text encoder of `width`.
  explicit EmbeddingLibrary(int64_t width) : width(width) {}
  /// The .safetensors files of `folder` (subfolders too) for a text encoder
  /// of `width`; files that hold no embedding are skipped with a line in
  /// `warnings`. Throws when `folder` is not a folder.
  EmbeddingLibrary(const std::filesystem::path &folder, int64_t width,
                   std::vector<std::string> &warnings);

  /// Adds `embedding` (skipped if its width is not the library's); the first
  /// of two with one name stays.
  void add(Embedding embedding, std::vector<std::string> &warnings);

  const std::map<std::string, Embedding> &loaded() const { return usable; }
  const std::map<std::string, Embedding> &skipped() const { return unusable; }
  /// The longest embedding whose name is written at `text[at]` (letters in
  /// any case, as CLIP lowercases; a name that starts or ends with a letter
  /// or digit must not be part of a longer word), or nullptr.
  const Embedding *match(std::string_view text, size_t at) const;

private:
  int64_t width = 0;
  std::map<std::string, Embedding> usable, unusable;
};

} // namespace avila

#endif // AVILA_RUNTIME_TEXT_EMBEDDINGS_H
