//===- LoraFile.h - A LoRA file's layers, in any format ----------*- C++-*-===//
//
// kohya and LyCORIS LoCon (lora_unet_* / lora_te_*: .lora_down.weight,
// .lora_up.weight, .alpha; convolutions 1×1 and 3×3 with down [r, c, kh, kw]
// and up [o, r, 1, 1]), diffusers and PEFT (unet.* / text_encoder.*:
// .lora_A.weight / .lora_B.weight, older diffusers' .processor.to_q_lora
// .down.weight) and cloneofsimo's (unet:N:down / text_encoder:N:up, its
// textual-inversion tokens left to Embeddings). Each layer is checked against
// the weight it changes when the file is read: a LoRA for another model is
// refused before any weight changes.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_LORA_LORAFILE_H
#define AVILA_RUNTIME_LORA_LORAFILE_H

#include "runtime/lora/LoraTargets.h"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace avila {

/// One changed weight: W += m · scale · up · down, up [out, rank] and down
/// [rank, in·kh·kw] as f32.
struct LoraLayer {
  LoraTarget target;
  /// The layer's key in the file without its suffix, for messages.
  std::string key;
  int64_t rank;
  /// alpha / rank (alpha is the rank when the file has none).
  double scale;
  std::vector<float> up, down;
};

class LoraFile {
public:
  /// Reads `path` and maps every layer onto `targets`. A key that names no
  /// layer of the model is skipped with a line in `warnings`; a layer whose
  /// shapes do not fit its weight, a missing half, a rank of 0 or beyond the
  /// layer's sizes, a non-finite value or alpha throw avila::Error naming
  /// the file and the key.
  LoraFile(const std::filesystem::path &path, const LoraTargets &targets,
           std::vector<std::string> &warnings);

  /// The name prompts use: the file name without its extension.
  const std::string &name() const { return stem; }
  const std::filesystem::path &path() const { return file; }
  const std::vector<LoraLayer> &layers() const { return changes; }
  const std::map<std::string, std::string> &metadata() const { return meta; }
  /// addnetHash of the file.
  const std::string &sha256() const { return hash; }

private:
  std::filesystem::path file;
  std::string stem;
  std::vector<LoraLayer> changes;
  std::map<std::string, std::string> meta;
  std::string hash;
};

/// A1111's hash of a LoRA file (kohya's "addnet" hash): the sha256 of the
/// bytes after the safetensors header, as 64 hex digits; infotext shows the
/// first 12 ("Lora hashes").
std::string addnetHash(const std::filesystem::path &path);

} // namespace avila

#endif // AVILA_RUNTIME_LORA_LORAFILE_H
