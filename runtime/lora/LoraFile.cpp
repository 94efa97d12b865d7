//===- LoraFile.cpp - A LoRA file's layers, in any format users have ------===//

#include "runtime/lora/LoraFile.h"

#include "runtime/base/Error.h"
#include "runtime/base/Sha256.h"
#include "runtime/weights/Safetensors.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>

namespace fs = std::filesystem;

namespace avila {
namespace {

enum class Half { Down, Up, Alpha, Mid };

// The key suffixes each format writes, longest first where one ends another.
constexpr std::pair<const char *, Half> kSuffixes[] = {
    {".lora_linear_layer.down.weight", Half::Down},
    {".lora_linear_layer.up.weight", Half::Up},
    {"_lora.down.weight", Half::Down},
    {"_lora.up.weight", Half::Up},
    {".lora.down.weight", Half::Down},
    {".lora.up.weight", Half::Up},
    {".lora_down.weight", Half::Down},
    {".lora_up.weight", Half::Up},
    {".lora_A.weight", Half::Down},
    {".lora_B.weight", Half::Up},
    {".lora_mid.weight", Half::Mid},
    {".alpha", Half::Alpha},
    {":down", Half::Down},
    {":up", Half::Up},
};

struct Halves {
  const TensorEntry *down = nullptr, *up = nullptr, *alpha = nullptr,
                    *mid = nullptr;
};

std::vector<int64_t> withoutTrailingOnes(std::vector<int64_t> shape) {
  while (!shape.empty() && shape.back() == 1)
    shape.pop_back();
  return shape;
}

// diffusers' module path from the dotted forms: PEFT's base_model.model.
// level dropped, and older diffusers' attention processors
// (attn1.processor.to_q_lora, to_out_lora) named as the layers they wrap.
const LoraTarget *dottedModule(const LoraTargets &targets, Component component,
                               std::string module) {
  if (const LoraTarget *target = targets.module(component, module))
    return target;
  const std::string processor = ".processor.";
  if (size_t at = module.find(processor); at != std::string::npos)
    module.replace(at, processor.size(), ".");
  if (module.ends_with(".to_out"))
    module += ".0";
  return targets.module(component, module);
}

const LoraTarget *resolve(const LoraTargets &targets, std::string module) {
  const std::string peft = "base_model.model.";
  if (module.starts_with(peft))
    module = module.substr(peft.size());
  for (const auto &[prefix, component] :
       {std::pair{"lora_unet_", Component::UNet},
        {"lora_te_", Component::TextEncoder}})
    if (module.starts_with(prefix))
      return targets.kohyaModule(component, module.substr(std::strlen(prefix)));
  for (const auto &[prefix, component] :
       {std::pair{"unet", Component::UNet},
        {"text_encoder", Component::TextEncoder}}) {
    const std::string dotted = std::string(prefix) + ".";
    if (module.starts_with(dotted))
      return dottedModule(targets, component, module.substr(dotted.size()));
    const std::string numbered = std::string(prefix) + ":";
    if (module.starts_with(numbered)) {
      const std::string index = module.substr(numbered.size());
      if (index.empty() || index.size() > 6 ||
          index.find_first_not_of("0123456789") != std::string::npos)
        return nullptr;
      return targets.cloneofsimoLayer(component, std::stoul(index));
    }
  }
  return nullptr;
}

std::vector<float> finiteFloats(const TensorEntry &entry,
                                const std::string &what) {
  std::vector<float> values = readFloats(entry);
  for (float value : values)
    if (!std::isfinite(value))
      fail(what + ": '" + entry.name + "' holds NaN or infinite values");
  return values;
}

LoraLayer checkedLayer(const std::string &what, const std::string &module,
                       const LoraTarget &target, const Halves &halves) {
  const std::string layer = what + ": layer '" + module + "'";
  if (halves.mid)
    fail(layer + " has a lora_mid (LyCORIS's Tucker decomposition), which is "
                 "not supported");
  if (!halves.down || !halves.up)
    fail(layer + " has " + (halves.down ? "a down" : "an up") +
         " half but no " + (halves.down ? "up" : "down") + " half");
  const std::vector<int64_t> &down = halves.down->shape, &up = halves.up->shape;
  const std::vector<int64_t> &weight = target.shape;
  auto mismatch = [&] {
    fail(layer + ": up " + shapeToString(up) + " and down " +
         shapeToString(down) + " do not fit " +
         componentName(target.component) + " weight '" + target.name +
         "' of shape " + shapeToString(weight));
  };
  if (down.size() < 2 || up.size() < 2 || weight.size() < 2)
    mismatch();
  const int64_t rank = down[0];
  if (rank == 0)
    fail(layer + " has rank 0");
  if (up[1] != rank || up[0] != weight[0] ||
      withoutTrailingOnes({up.begin() + 2, up.end()}).size() != 0 ||
      withoutTrailingOnes({down.begin() + 1, down.end()}) !=
          withoutTrailingOnes({weight.begin() + 1, weight.end()}))
    mismatch();
  const int64_t outputs = weight[0];
  const int64_t inputs = halves.down->numElements() / rank;
  if (rank > std::min(outputs, inputs))
    fail(layer + " has rank " + std::to_string(rank) +
         ", beyond the layer's sizes " + std::to_string(outputs) + "×" +
         std::to_string(inputs));
  double alpha = static_cast<double>(rank);
  if (halves.alpha) {
    if (halves.alpha->numElements() != 1)
      fail(layer + ": alpha has shape " + shapeToString(halves.alpha->shape) +
           ", not a single value");
    alpha = finiteFloats(*halves.alpha, what).at(0);
  }
  return {target,
          module,
          rank,
          alpha / static_cast<double>(rank),
          finiteFloats(*halves.up, what),
          finiteFloats(*halves.down, what)};
}

} // namespace

LoraFile::LoraFile(const fs::path &path, const LoraTargets &targets,
                   std::vector<std::string> &warnings)
    : file(path), stem(path.stem().string()) {
  const SafetensorsFile tensors(path);
  meta = tensors.index().metadata;
  const std::string what = "LoRA " + path.string();
  std::map<std::string, std::pair<const LoraTarget *, Halves>> modules;
  for (const auto &[key, entry] : tensors.index().tensors) {
    // cloneofsimo's textual-inversion tokens: read by Embeddings.
    if (const auto token = meta.find(key);
        token != meta.end() && token->second == "<embed>")
      continue;
    std::optional<std::pair<std::string, Half>> split;
    for (const auto &[suffix, half] : kSuffixes)
      if (!split && key.ends_with(suffix))
        split.emplace(key.substr(0, key.size() - std::strlen(suffix)), half);
    const LoraTarget *target = split ? resolve(targets, split->first) : nullptr;
    if (!target) {
      warnings.push_back(what + ": unknown key '" + key +
                         "' (no layer of this model) skipped");
      continue;
    }
    auto &[module, halves] = modules[split->first];
    module = target;
    const TensorEntry **slot = split->second == Half::Down    ? &halves.down
                               : split->second == Half::Up    ? &halves.up
                               : split->second == Half::Alpha ? &halves.alpha
                                                              : &halves.mid;
    *slot = &entry;
  }
  for (const auto &[module, found] : modules) {
    const auto &[target, halves] = found;
    if (!halves.down && !halves.up && !halves.mid) {
      warnings.push_back(what + ": alpha of '" + module +
                         "' without the layer's halves skipped");
      continue;
    }
    changes.push_back(checkedLayer(what, module, *target, halves));
  }
  hash = addnetHash(path);
}

std::string addnetHash(const fs::path &path) {
  // The header length as the file stores it (little-endian).
  std::ifstream stream(path, std::ios::binary);
  unsigned char bytes[8] = {};
  if (!stream.read(reinterpret_cast<char *>(bytes), 8))
    fail("cannot read " + path.string());
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i)
    headerBytes = headerBytes << 8 | bytes[i];
  Sha256 digest;
  digest.updateFromFile(path, 8 + headerBytes);
  return digest.hex();
}

} // namespace avila
