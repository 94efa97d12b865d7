//===- Checkpoint.cpp - SD 1.x weights in either layout users have --------===//

#include "runtime/weights/Checkpoint.h"
#include "runtime/base/Error.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace fs = std::filesystem;

namespace avila {

namespace {

constexpr Component kComponents[] = {Component::TextEncoder, Component::UNet,
                                     Component::Vae};

// Weight files of a diffusers component folder, most preferred first.
std::vector<std::string> weightFileNames(Component component) {
  if (component == Component::TextEncoder)
    return {"model.safetensors", "model.fp16.safetensors"};
  return {"diffusion_pytorch_model.safetensors",
          "diffusion_pytorch_model.fp16.safetensors"};
}

// diffusers before 0.14 saved the VAE attention under other names.
constexpr std::pair<const char *, const char *> kLegacyVaeAttention[] = {
    {".to_q.", ".query."},
    {".to_k.", ".key."},
    {".to_v.", ".value."},
    {".to_out.0.", ".proj_attn."},
};

std::vector<int64_t> withoutTrailingOnes(std::vector<int64_t> shape) {
  while (!shape.empty() && shape.back() == 1)
    shape.pop_back();
  return shape;
}

} // namespace

std::optional<std::string> legacyVaeName(const std::string &name) {
  for (const auto &[current, legacy] : kLegacyVaeAttention) {
    size_t at = name.rfind(current);
    if (at != std::string::npos)
      return name.substr(0, at) + legacy + name.substr(at + strlen(current));
  }
  return std::nullopt;
}

void refusePickle(const fs::path &path) {
  static constexpr std::array kPickle = {".ckpt", ".pt", ".pth", ".bin",
                                         ".pkl"};
  const std::string extension = path.extension().string();
  if (std::find(kPickle.begin(), kPickle.end(), extension) != kPickle.end())
    fail(path.string() +
         " is a PyTorch pickle checkpoint, which can run arbitrary code when "
         "loaded; convert it to .safetensors first");
}

struct Checkpoint::Part {
  std::optional<Component> component; // none: a single file holds all
  std::unique_ptr<SafetensorsFile> file;
};

Checkpoint::Checkpoint(const fs::path &path) : rootPath(path) {
  refusePickle(path);
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    fileLayout = Layout::SingleFile;
    parts.push_back(std::make_unique<Part>(
        Part{std::nullopt, std::make_unique<SafetensorsFile>(path)}));
    return;
  }
  fileLayout = Layout::Diffusers;
  for (Component component : kComponents) {
    const fs::path folder = path / componentName(component);
    if (!fs::is_directory(folder, error))
      continue;
    std::optional<fs::path> chosen;
    for (const std::string &name : weightFileNames(component))
      if (!chosen && fs::exists(folder / name, error))
        chosen = folder / name;
    if (!chosen) {
      for (const auto &entry : fs::directory_iterator(folder, error))
        refusePickle(entry.path());
      fail(folder.string() + " has no " + weightFileNames(component)[0]);
    }
    parts.push_back(std::make_unique<Part>(
        Part{component, std::make_unique<SafetensorsFile>(*chosen)}));
  }
  if (parts.empty())
    fail(path.string() +
         " is a folder without text_encoder/, unet/ or vae/: not a diffusers "
         "model");
}

Checkpoint::~Checkpoint() = default;
Checkpoint::Checkpoint(Checkpoint &&) noexcept = default;

std::map<std::string, std::vector<int64_t>>
Checkpoint::singleFileShapes() const {
  std::map<std::string, std::vector<int64_t>> shapes;
  if (fileLayout == Layout::SingleFile)
    for (const auto &[name, entry] : parts.front()->file->index().tensors)
      shapes.emplace(name, entry.shape);
  return shapes;
}

const Checkpoint::Part *Checkpoint::partFor(Component component) const {
  for (const auto &part : parts)
    if (!part->component || *part->component == component)
      return part.get();
  return nullptr;
}

std::string Checkpoint::fileKey(Component component,
                                const std::string &name) const {
  if (fileLayout == Layout::Diffusers)
    return name;
  return keyTranslator ? keyTranslator(component, name) : std::string();
}

const TensorEntry *Checkpoint::find(Component component,
                                    const std::string &name) const {
  const Part *part = partFor(component);
  const std::string key = fileKey(component, name);
  if (!part || key.empty())
    return nullptr;
  if (const TensorEntry *entry = part->file->find(key))
    return entry;
  if (fileLayout == Layout::Diffusers && component == Component::Vae)
    if (std::optional<std::string> legacy = legacyVaeName(name))
      return part->file->find(*legacy);
  return nullptr;
}

const TensorEntry &
Checkpoint::checkedEntry(Component component, const std::string &name,
                         const std::vector<int64_t> &shape) const {
  const std::string what =
      std::string(componentName(component)) + " tensor '" + name + "'";
  if (!partFor(component))
    fail(rootPath.string() + " has no " + componentName(component) +
         " weights");
  const TensorEntry *entry = find(component, name);
  if (!entry) {
    const std::string key = fileKey(component, name);
    fail(rootPath.string() + " has no " + what +
         (key.empty() || key == name ? "" : " (key '" + key + "')"));
  }
  if (entry->shape != shape &&
      withoutTrailingOnes(entry->shape) != withoutTrailingOnes(shape))
    fail(what + " has shape " + shapeToString(entry->shape) + " in " +
         rootPath.string() + " but the model expects " + shapeToString(shape));
  return *entry;
}

std::vector<float>
Checkpoint::readWeight(Component component, const std::string &name,
                       const std::vector<int64_t> &shape) const {
  return readFloats(checkedEntry(component, name, shape));
}

void Checkpoint::readWeight(Component component, const std::string &name,
                            const std::vector<int64_t> &shape,
                            std::span<float> out) const {
  readFloats(checkedEntry(component, name, shape), out);
}

} // namespace avila
