//===- LoadedModel.h - An artifact, a checkpoint and a tokenizer -*- C++-*-===//
//
// What a generating tool opens before its first image: the compiled
// networks on a device, the user's checkpoint (weights bound on request,
// since reading gigabytes should wait until a request is known to be
// good), the tokenizer and the pipeline over them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_PIPELINE_LOADEDMODEL_H
#define AVILA_RUNTIME_PIPELINE_LOADEDMODEL_H

#include "runtime/pipeline/Pipeline.h"
#include "runtime/weights/Checkpoint.h"

#include <filesystem>
#include <memory>
#include <optional>

namespace avila {

/// The name a checkpoint goes by in infotext ("Model: ..."): a single
/// file's stem, a diffusers folder's name.
std::string modelDisplayName(const std::filesystem::path &model);

class LoadedModel {
public:
  /// `tokenizer` may be empty (found beside a diffusers model); `device` as
  /// avila-run's --device takes it.
  LoadedModel(const std::filesystem::path &artifact,
              const std::filesystem::path &model,
              const std::filesystem::path &tokenizer, unsigned threads,
              const std::string &device);

  /// Reads the checkpoint's weights onto the device (with the VAE useVae
  /// chose).
  void bindWeights();
  /// Decodes and encodes with the VAE at `vae` (openSeparateVae's layouts)
  /// instead of the checkpoint's; an empty path: the checkpoint's own again.
  /// Rebinds the VAE at once when weights are bound. Throws for a VAE that
  /// does not fit, keeping the one before.
  void useVae(const std::filesystem::path &vae);
  /// The VAE useVae chose; empty: the checkpoint's.
  const std::filesystem::path &vae() const { return vaePath; }

  Pipeline &pipeline() { return *generator; }
  Executable &executable() { return *compiled; }
  const std::filesystem::path &path() const { return checkpoint.path(); }
  /// modelDisplayName of the checkpoint.
  const std::string &name() const { return displayName; }

private:
  Checkpoint checkpoint;
  std::filesystem::path vaePath;
  std::optional<Checkpoint> separateVae;
  bool weightsBound = false;
  std::unique_ptr<Executable> compiled;
  std::unique_ptr<ClipTokenizer> tokenizer;
  std::unique_ptr<Pipeline> generator;
  std::string displayName;
};

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_LOADEDMODEL_H
