//===- Embeddings.cpp - Textual-inversion embeddings ----------------------===//

#include "runtime/text/Embeddings.h"

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace fs = std::filesystem;

namespace avila {
namespace {

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

Embedding embeddingOf(const TensorEntry &entry, std::string name,
                      const fs::path &file) {
  if (entry.shape.empty() || entry.shape.size() > 2 || entry.numElements() == 0)
    fail(file.string() + ": embedding '" + entry.name + "' has shape " +
         shapeToString(entry.shape) + ", not [vectors, width]");
  Embedding embedding;
  embedding.name = std::move(name);
  embedding.file = file;
  embedding.width = entry.shape.back();
  embedding.vectors = entry.shape.size() == 2 ? entry.shape[0] : 1;
  embedding.values = readFloats(entry);
  for (float value : embedding.values)
    if (!std::isfinite(value))
      fail(file.string() + ": embedding '" + entry.name +
           "' holds NaN or infinite values");
  return embedding;
}

} // namespace

std::vector<Embedding> readEmbeddings(const fs::path &file) {
  const SafetensorsFile tensors(file);
  const auto &index = tensors.index();
  std::vector<Embedding> found;
  for (const auto &[key, entry] : index.tensors)
    if (const auto mark = index.metadata.find(key);
        mark != index.metadata.end() && mark->second == "<embed>")
      found.push_back(embeddingOf(entry, key, file));
  if (!found.empty())
    return found;
  if (index.tensors.size() != 1)
    fail(file.string() + " holds " + std::to_string(index.tensors.size()) +
         " tensors: not a textual-inversion embedding (one tensor, or "
         "tokens marked \"<embed>\")");
  Embedding embedding =
      embeddingOf(index.tensors.begin()->second, file.stem().string(), file);
  if (const auto step = index.metadata.find("step");
      step != index.metadata.end())
    if (int64_t number = 0;
        std::from_chars(step->second.data(),
                        step->second.data() + step->second.size(), number)
            .ptr == step->second.data() + step->second.size())
      embedding.step = number;
  found.push_back(std::move(embedding));
  return found;
}

EmbeddingLibrary::EmbeddingLibrary(const fs::path &folder, int64_t width,
                                   std::vector<std::string> &warnings)
    : width(width) {
  std::error_code error;
  if (!fs::is_directory(folder, error))
    fail("--embeddings-dir " + folder.string() + " is not a folder");
  std::vector<fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(folder, error))
    if (entry.is_regular_file() && entry.path().extension() == ".safetensors")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path &file : files) {
    try {
      for (Embedding &embedding : readEmbeddings(file))
        add(std::move(embedding), warnings);
    } catch (const Error &problem) {
      warnings.push_back(std::string(problem.what()) + "; skipped");
    }
  }
}

void EmbeddingLibrary::add(Embedding embedding,
                           std::vector<std::string> &warnings) {
  if (embedding.name.empty())
    return;
  auto &into = embedding.width == width ? usable : unusable;
  if (usable.count(embedding.name) || unusable.count(embedding.name)) {
    warnings.push_back("embedding '" + embedding.name + "' of " +
                       embedding.file.string() +
                       " has the name of an earlier one; skipped");
    return;
  }
  into.emplace(embedding.name, std::move(embedding));
}

const Embedding *EmbeddingLibrary::match(std::string_view text,
                                         size_t at) const {
  const Embedding *best = nullptr;
  for (const auto &[name, embedding] : usable) {
    if (at + name.size() > text.size() ||
        (best && best->name.size() >= name.size()))
      continue;
    bool equal = true;
    for (size_t i = 0; i < name.size() && equal; ++i)
      equal = std::tolower(static_cast<unsigned char>(text[at + i])) ==
              std::tolower(static_cast<unsigned char>(name[i]));
    if (!equal)
      continue;
    if (isWordChar(name.front()) && at > 0 && isWordChar(text[at - 1]))
      continue;
    const size_t end = at + name.size();
    if (isWordChar(name.back()) && end < text.size() && isWordChar(text[end]))
      continue;
    best = &embedding;
  }
  return best;
}

} // namespace avila
