//===- ModelCatalog.cpp - The checkpoints a server offers -----------------===//

#include "server/ModelCatalog.h"

#include "runtime/base/Error.h"
#include "runtime/base/Sha256.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>

namespace fs = std::filesystem;

namespace avila::server {
namespace {

constexpr const char *kCacheName = "avila-hashes.json";

bool isDiffusersFolder(const fs::path &path) {
  std::error_code error;
  return fs::is_regular_file(path / "model_index.json", error);
}

std::vector<fs::path> filesOf(const fs::path &model) {
  if (!fs::is_directory(model))
    return {model};
  std::vector<fs::path> files;
  for (const auto &entry : fs::recursive_directory_iterator(model))
    if (entry.is_regular_file())
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

// What a cached hash is valid for: the files' sizes and mtimes.
std::string fingerprint(const fs::path &model) {
  std::string text;
  for (const fs::path &file : filesOf(model))
    text +=
        file.string() + ":" + std::to_string(fs::file_size(file)) + ":" +
        std::to_string(fs::last_write_time(file).time_since_epoch().count()) +
        ";";
  return text;
}

std::string entryName(const fs::path &model, const fs::path &folder) {
  fs::path relative =
      folder.empty() ? model.filename() : model.lexically_relative(folder);
  if (relative.empty() || relative.string().starts_with(".."))
    relative = model.filename();
  return relative.string();
}

} // namespace

std::string CatalogEntry::modelName() const {
  std::string stem = fs::path(name).replace_extension().string();
  std::replace(stem.begin(), stem.end(), '/', '_');
  return stem;
}

std::string hashModel(const fs::path &model) {
  Sha256 digest;
  for (const fs::path &file : filesOf(model))
    digest.updateFromFile(file);
  return digest.hex();
}

ModelCatalog::ModelCatalog(fs::path folder, fs::path extra)
    : folder(std::move(folder)), extra(std::move(extra)) {
  if (!this->folder.empty() && !fs::is_directory(this->folder))
    fail("--models-dir " + this->folder.string() + " is not a folder");
  if (!this->extra.empty() && !fs::exists(this->extra))
    fail("--model " + this->extra.string() + " does not exist");
  refresh();
}

void ModelCatalog::refresh() {
  std::vector<fs::path> models;
  if (!folder.empty()) {
    fs::recursive_directory_iterator it(
        folder, fs::directory_options::skip_permission_denied);
    for (; it != fs::recursive_directory_iterator(); ++it) {
      const fs::path &path = it->path();
      if (it->is_directory() && isDiffusersFolder(path)) {
        models.push_back(path);
        it.disable_recursion_pending();
      } else if (it->is_regular_file() && path.extension() == ".safetensors")
        models.push_back(path);
    }
  }
  if (!extra.empty() &&
      std::find(models.begin(), models.end(), extra) == models.end())
    models.push_back(extra);

  // The cache lives beside the models when there is a folder for them.
  const fs::path cachePath = folder.empty() ? fs::path() : folder / kCacheName;
  nlohmann::json cache = nlohmann::json::object();
  if (!cachePath.empty())
    if (std::ifstream stream(cachePath); stream) {
      cache = nlohmann::json::parse(stream, nullptr, false);
      if (!cache.is_object())
        cache = nlohmann::json::object();
    }
  std::vector<CatalogEntry> scanned;
  bool changed = false;
  for (const fs::path &model : models) {
    const std::string key = fs::absolute(model).lexically_normal().string();
    CatalogEntry entry{entryName(model, folder), model, ""};
    // One unreadable file (a dangling link, no permission) must not hide
    // the others.
    try {
      const std::string print = fingerprint(model);
      const auto cached = cache.find(key);
      if (cached != cache.end() && cached->is_object() &&
          cached->value("fingerprint", "") == print)
        entry.sha256 = cached->value("sha256", "");
      if (entry.sha256.size() != 64) {
        entry.sha256 = hashModel(model);
        cache[key] = {{"fingerprint", print}, {"sha256", entry.sha256}};
        changed = true;
      }
    } catch (const std::exception &error) {
      std::fprintf(stderr, "avila-server: skipping %s: %s\n", key.c_str(),
                   error.what());
      continue;
    }
    scanned.push_back(std::move(entry));
  }
  std::sort(scanned.begin(), scanned.end(),
            [](const auto &a, const auto &b) { return a.name < b.name; });
  // An unwritable models folder only costs the next start its hashing.
  if (changed && !cachePath.empty())
    if (std::ofstream stream(cachePath); stream)
      stream << cache.dump(2) << "\n";
  std::lock_guard<std::mutex> lock(mutex);
  found = std::move(scanned);
}

std::vector<CatalogEntry> ModelCatalog::entries() const {
  std::lock_guard<std::mutex> lock(mutex);
  return found;
}

std::optional<CatalogEntry> ModelCatalog::find(const std::string &key) const {
  std::lock_guard<std::mutex> lock(mutex);
  for (const CatalogEntry &entry : found)
    if (key == entry.title() || key == entry.name || key == entry.modelName() ||
        key == entry.shortHash() || key == entry.sha256)
      return entry;
  return std::nullopt;
}

} // namespace avila::server
