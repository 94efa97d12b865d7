//===- LoraLibrary.cpp - The LoRA files of a --lora-dir -------------------===//

#include "runtime/lora/LoraLibrary.h"

#include "runtime/base/Error.h"
#include "runtime/base/ParseNumber.h"
#include "runtime/text/PromptLoras.h"
#include "runtime/weights/Safetensors.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace avila {

LoraChoice parseLoraArgument(const std::string &argument) {
  LoraChoice choice;
  choice.path = argument;
  const size_t colon = argument.rfind(':');
  if (colon != std::string::npos && !fs::exists(argument)) {
    choice.path = argument.substr(0, colon);
    choice.textEncoderMultiplier = choice.unetMultiplier = parseNumber<double>(
        "--lora " + argument + ": the multiplier", argument.substr(colon + 1));
  }
  choice.name = choice.path.stem().string();
  return choice;
}

LoraLibrary::LoraLibrary(fs::path folder) : folder(std::move(folder)) {
  std::error_code error;
  if (!this->folder.empty() && !fs::is_directory(this->folder, error))
    fail("--lora-dir " + this->folder.string() + " is not a folder");
  refresh();
}

void LoraLibrary::refresh() {
  std::vector<LoraOnDisk> scanned;
  std::error_code error;
  if (!folder.empty())
    for (const auto &entry : fs::recursive_directory_iterator(folder, error)) {
      if (!entry.is_regular_file() ||
          entry.path().extension() != ".safetensors")
        continue;
      LoraOnDisk lora{entry.path().stem().string(), "", entry.path(), {}};
      try {
        lora.metadata = SafetensorsFile(entry.path()).index().metadata;
      } catch (const Error &) {
        continue;
      }
      const auto output = lora.metadata.find("ss_output_name");
      lora.alias = output != lora.metadata.end() ? output->second : lora.name;
      scanned.push_back(std::move(lora));
    }
  std::sort(
      scanned.begin(), scanned.end(),
      [](const LoraOnDisk &a, const LoraOnDisk &b) { return a.path < b.path; });
  std::lock_guard<std::mutex> lock(mutex);
  found = std::move(scanned);
}

std::vector<LoraOnDisk> LoraLibrary::entries() const {
  std::lock_guard<std::mutex> lock(mutex);
  return found;
}

std::vector<LoraChoice>
LoraLibrary::resolve(const std::vector<PromptLora> &loras) const {
  std::lock_guard<std::mutex> lock(mutex);
  std::vector<LoraChoice> choices;
  for (const PromptLora &lora : loras) {
    const auto match =
        std::find_if(found.begin(), found.end(), [&](const LoraOnDisk &entry) {
          return entry.name == lora.name || entry.alias == lora.name;
        });
    if (match == found.end())
      fail("no LoRA named '" + lora.name + "'" +
           (folder.empty() ? std::string(" (no --lora-dir was given)")
                           : " in " + folder.string()));
    choices.push_back({lora.name, match->path, lora.textEncoderMultiplier,
                       lora.unetMultiplier});
  }
  return choices;
}

} // namespace avila
