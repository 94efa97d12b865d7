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

#include "runtime/lora/LoraLibrary.h"
#include "runtime/lora/LoraMerge.h"
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

  /// Reads the checkpoint's weights onto the device, with the changes of
  /// the LoRA set and the VAE useVae chose.
  void bindWeights();
  /// Decodes and encodes with the VAE at `vae` (openSeparateVae's layouts)
  /// instead of the checkpoint's; an empty path: the checkpoint's own again.
  /// Rebinds the VAE at once when weights are bound. Throws for a VAE that
  /// does not fit, keeping the one before.
  void useVae(const std::filesystem::path &vae);
  /// The VAE useVae chose; empty: the checkpoint's.
  const std::filesystem::path &vae() const { return vaePath; }

  /// The weights LoRA files may change (the artifact's U-Net and text
  /// encoder), for LoraFile.
  const LoraTargets &loraTargets() const { return targets; }
  /// Makes `loras` the merged set. Once bound, only the weights the old or
  /// the new set changes are filled again, from the checkpoint that stays
  /// open, so an empty set gives the plain weights back bit for bit.
  void applyLoras(LoraSet loras);
  const LoraSet &loras() const { return merged; }
  /// applyLoras with the files `choices` name (each read once for this
  /// model and kept); returns A1111's "Lora hashes": each name (without ':'
  /// and ',') with the first 12 hex digits of its file's addnet hash.
  /// Unknown keys of a file read now go to `warnings`.
  std::vector<std::pair<std::string, std::string>>
  useLoras(const std::vector<LoraChoice> &choices,
           std::vector<std::string> &warnings);

  /// Reads the embeddings of `folder` for this text encoder's width and
  /// lets prompts use them.
  void loadEmbeddings(const std::filesystem::path &folder,
                      std::vector<std::string> &warnings);
  const EmbeddingLibrary &embeddings() const { return library; }

  Pipeline &pipeline() { return *generator; }
  Executable &executable() { return *compiled; }
  const std::filesystem::path &path() const { return checkpoint.path(); }
  /// modelDisplayName of the checkpoint.
  const std::string &name() const { return displayName; }

private:
  /// A weight from the checkpoint (the VAE's from the separate VAE when
  /// there is one) with the LoRA set's changes.
  void fillMerged(const artifact::Weight &weight,
                  std::span<float> values) const;
  static WeightKey keyOf(const artifact::Weight &weight);
  /// Fills again, through fillMerged, the bound weights `which` selects.
  void refill(const std::function<bool(const WeightKey &)> &which);

  Checkpoint checkpoint;
  std::filesystem::path vaePath;
  std::optional<Checkpoint> separateVae;
  std::unique_ptr<Executable> compiled;
  std::unique_ptr<ClipTokenizer> tokenizer;
  std::unique_ptr<Pipeline> generator;
  std::string displayName;
  LoraTargets targets;
  LoraSet merged;
  std::map<std::filesystem::path, std::shared_ptr<const LoraFile>> loraFiles;
  bool bound = false;
  EmbeddingLibrary library;
};

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_LOADEDMODEL_H
