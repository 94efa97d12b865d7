//===- LoraLibrary.h - The LoRA files of a --lora-dir ------------*- C++-*-===//
//
// The .safetensors files of a folder (subfolders too), named as A1111 names
// them: the file name without its extension; the alias is the name kohya's
// trainer wrote into the metadata (ss_output_name), else the name. Prompts
// name a LoRA by either.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_LORA_LORALIBRARY_H
#define AVILA_RUNTIME_LORA_LORALIBRARY_H

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace avila {

struct PromptLora;

struct LoraOnDisk {
  std::string name;
  std::string alias;
  std::filesystem::path path;
  std::map<std::string, std::string> metadata;
};

/// A LoRA a request applies: its name (in infotext), file and multipliers.
struct LoraChoice {
  std::string name;
  std::filesystem::path path;
  double textEncoderMultiplier = 1;
  double unetMultiplier = 1;
};

/// "file.safetensors:0.8" (--lora): the multiplier after the last colon,
/// 1 without one; throws avila::Error for a malformed multiplier.
LoraChoice parseLoraArgument(const std::string &argument);

class LoraLibrary {
public:
  /// An empty `folder`: no LoRA can be named. Throws avila::Error when
  /// `folder` is not a folder.
  explicit LoraLibrary(std::filesystem::path folder = {});

  /// Scans the folder again; a file whose header does not parse is left out.
  void refresh();
  std::vector<LoraOnDisk> entries() const;
  /// The files of `loras`, by name or alias; throws avila::Error naming a
  /// LoRA the folder lacks.
  std::vector<LoraChoice> resolve(const std::vector<PromptLora> &loras) const;

private:
  std::filesystem::path folder;
  mutable std::mutex mutex;
  std::vector<LoraOnDisk> found;
};

} // namespace avila

#endif // AVILA_RUNTIME_LORA_LORALIBRARY_H
