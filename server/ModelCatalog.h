//===- ModelCatalog.h - The checkpoints a server offers ----------*- C++-*-===//
//
// The checkpoints of --models-dir (single .safetensors files and diffusers
// folders, found in subfolders too) and --model, named and hashed as the
// A1111 web UI names them: title "name [hash10]", where the hash is the
// sha256 of the file (of a diffusers folder: of its files' bytes in path
// order). Hashing gigabytes takes seconds, so hashes are kept in
// avila-hashes.json beside the models, keyed by path, size and mtime.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_MODELCATALOG_H
#define AVILA_SERVER_MODELCATALOG_H

#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace avila::server {

struct CatalogEntry {
  /// Path relative to the models folder ("sub/v1-5.safetensors").
  std::string name;
  std::filesystem::path path;
  std::string sha256;
  /// A1111's model_name: the name without its extension, '/' as '_'.
  std::string modelName() const;
  std::string shortHash() const { return sha256.substr(0, 10); }
  std::string title() const { return name + " [" + shortHash() + "]"; }
};

class ModelCatalog {
public:
  /// `folder` may be empty (only `extra` is served); `extra` may be empty.
  ModelCatalog(std::filesystem::path folder, std::filesystem::path extra);

  /// Scans again (new files, changed files rehashed).
  void refresh();
  std::vector<CatalogEntry> entries() const;
  /// By title, name, file name, short or full hash; nullopt if none.
  std::optional<CatalogEntry> find(const std::string &key) const;

private:
  std::filesystem::path folder, extra;
  mutable std::mutex mutex;
  std::vector<CatalogEntry> found;
};

/// sha256 of a file, or of a folder's files in path order, as hex.
std::string hashModel(const std::filesystem::path &path);

} // namespace avila::server

#endif // AVILA_SERVER_MODELCATALOG_H
