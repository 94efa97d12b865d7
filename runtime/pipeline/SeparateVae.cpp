//===- SeparateVae.cpp - A VAE from another file than the checkpoint ------===//

#include "runtime/pipeline/SeparateVae.h"

#include "runtime/base/Error.h"
#include "runtime/executor/Executable.h"

#include <cstring>
#include <functional>

namespace fs = std::filesystem;

namespace avila {
namespace {

constexpr const char *kFirstStage = "first_stage_model.";

bool anyKey(const std::map<std::string, std::vector<int64_t>> &keys,
            const std::function<bool(const std::string &)> &test) {
  for (const auto &[key, shape] : keys)
    if (test(key))
      return true;
  return false;
}

// Diffusers names (current or pre-0.14) for the VAE's weights.
KeyTranslator diffusersKeys(std::map<std::string, std::vector<int64_t>> keys) {
  return
      [keys = std::move(keys)](Component component, const std::string &name) {
        if (component != Component::Vae || keys.contains(name))
          return component == Component::Vae ? name : std::string();
        const std::optional<std::string> legacy = legacyVaeName(name);
        return legacy && keys.contains(*legacy) ? *legacy : name;
      };
}

// A single safetensors file: which names its keys are in.
Checkpoint openVaeFile(const fs::path &path, const Artifact &artifact) {
  Checkpoint file(path);
  const auto keys = file.singleFileShapes();
  if (anyKey(keys, [](const std::string &key) {
        return key.starts_with(kFirstStage);
      })) {
    file.setKeyTranslator(singleFileKeys(artifact, file));
  } else if (anyKey(keys, [](const std::string &key) {
               return key.find("mid_block.") != std::string::npos ||
                      key.find("up_blocks.") != std::string::npos;
             })) {
    file.setKeyTranslator(diffusersKeys(keys));
  } else if (anyKey(keys, [](const std::string &key) {
               return key.starts_with("decoder.") ||
                      key.starts_with("encoder.");
             })) {
    // A bare VAE: the checkpoint's keys without their prefix.
    const KeyTranslator full = singleFileKeys(artifact, file);
    file.setKeyTranslator([full](Component component, const std::string &name) {
      std::string key =
          component == Component::Vae ? full(component, name) : "";
      return key.starts_with(kFirstStage) ? key.substr(strlen(kFirstStage))
                                          : std::string();
    });
  } else {
    fail(path.string() + " holds no VAE weights (no first_stage_model., "
                         "encoder. or decoder. tensors)");
  }
  return file;
}

// The VAE's file or folder, opened.
Checkpoint openVaeLayout(const fs::path &path, const Artifact &artifact) {
  std::error_code error;
  if (!fs::is_directory(path, error))
    return openVaeFile(path, artifact);
  if (fs::is_directory(path / "vae", error))
    return Checkpoint(path);
  for (const char *name : {"diffusion_pytorch_model.safetensors",
                           "diffusion_pytorch_model.fp16.safetensors"})
    if (fs::exists(path / name, error))
      return openVaeFile(path / name, artifact);
  fail(path.string() + " is a folder without vae/ or a "
                       "diffusion_pytorch_model.safetensors: not a diffusers "
                       "VAE");
}

} // namespace

Checkpoint openSeparateVae(const fs::path &path, const Artifact &artifact) {
  Checkpoint vae = openVaeLayout(path, artifact);
  // Every tensor present and of its shape before anything is bound.
  if (const auto *manifest = artifact.root().weights())
    for (const artifact::Weight *weight : *manifest)
      if (weight->component()->str() == componentName(Component::Vae))
        vae.checkWeight(Component::Vae, weight->name()->str(),
                        std::vector<int64_t>(weight->shape()->begin(),
                                             weight->shape()->end()));
  return vae;
}

} // namespace avila
