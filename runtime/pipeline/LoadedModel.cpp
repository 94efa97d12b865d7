//===- LoadedModel.cpp - An artifact, a checkpoint and a tokenizer --------===//

#include "runtime/pipeline/LoadedModel.h"

#include "runtime/pipeline/SeparateVae.h"

#include <algorithm>

namespace fs = std::filesystem;

namespace avila {

std::string modelDisplayName(const fs::path &model) {
  const fs::path absolute = fs::absolute(model).lexically_normal();
  std::string name = absolute.stem();
  if (name.empty())
    name = absolute.parent_path().filename();
  return name;
}

LoadedModel::LoadedModel(const fs::path &artifact, const fs::path &model,
                         const fs::path &tokenizerPath, unsigned threads,
                         const std::string &device)
    : checkpoint(model), displayName(modelDisplayName(model)),
      targets(std::vector<LoraTarget>{}) {
  Artifact loaded = Artifact::load(artifact);
  targets = LoraTargets::ofArtifact(loaded);
  if (checkpoint.layout() == Checkpoint::Layout::SingleFile)
    checkpoint.setKeyTranslator(singleFileKeys(loaded, checkpoint));
  tokenizer = std::make_unique<ClipTokenizer>(
      ClipTokenizer::locate(tokenizerPath, model));
  compiled = std::make_unique<Executable>(std::move(loaded), threads, device);
  generator = std::make_unique<Pipeline>(*compiled, *tokenizer,
                                         NoiseSchedule::forModel(model));
}

void LoadedModel::bindWeights() {
  compiled->bindWeights(
      [&](const artifact::Weight &weight, std::span<float> values) {
        fillMerged(weight, values);
      });
  bound = true;
  generator->weightsChanged();
}

void LoadedModel::useVae(const fs::path &vae) {
  if (vae == vaePath)
    return;
  // Opening checks every tensor, so the refill below cannot fail part way.
  std::optional<Checkpoint> opened;
  if (!vae.empty())
    opened.emplace(openSeparateVae(vae, compiled->artifact()));
  separateVae.reset();
  if (opened)
    separateVae.emplace(std::move(*opened));
  vaePath = vae;
  refill([](const WeightKey &key) { return key.first == Component::Vae; });
}

WeightKey LoadedModel::keyOf(const artifact::Weight &weight) {
  return {componentNamed(weight.component()->str()), weight.name()->str()};
}

void LoadedModel::fillMerged(const artifact::Weight &weight,
                             std::span<float> values) const {
  const WeightKey key = keyOf(weight);
  const Checkpoint &source =
      separateVae && key.first == Component::Vae ? *separateVae : checkpoint;
  source.readWeight(
      key.first, key.second,
      std::vector<int64_t>(weight.shape()->begin(), weight.shape()->end()),
      values);
  merged.apply(key, values);
}

void LoadedModel::refill(const std::function<bool(const WeightKey &)> &which) {
  if (!bound)
    return;
  compiled->rebindWeights(
      [&](const artifact::Weight &weight) { return which(keyOf(weight)); },
      [&](const artifact::Weight &weight, std::span<float> values) {
        fillMerged(weight, values);
      });
  generator->weightsChanged();
}

void LoadedModel::applyLoras(LoraSet loras) {
  if (loras == merged)
    return;
  std::set<WeightKey> changed = merged.changedWeights();
  changed.merge(loras.changedWeights());
  merged = std::move(loras);
  refill([&](const WeightKey &key) { return changed.count(key) > 0; });
}

std::vector<std::pair<std::string, std::string>>
LoadedModel::useLoras(const std::vector<LoraChoice> &choices,
                      std::vector<std::string> &warnings) {
  std::vector<AppliedLora> applied;
  std::vector<std::pair<std::string, std::string>> hashes;
  for (const LoraChoice &choice : choices) {
    std::shared_ptr<const LoraFile> &file = loraFiles[choice.path];
    if (!file)
      file = std::make_shared<const LoraFile>(choice.path, targets, warnings);
    applied.push_back(
        {file, choice.textEncoderMultiplier, choice.unetMultiplier});
    std::string name = choice.name;
    std::erase_if(name, [](char c) { return c == ':' || c == ','; });
    if (std::none_of(hashes.begin(), hashes.end(),
                     [&](const auto &hash) { return hash.first == name; }))
      hashes.emplace_back(name, file->sha256().substr(0, 12));
  }
  applyLoras(LoraSet(std::move(applied)));
  return hashes;
}

void LoadedModel::loadEmbeddings(const fs::path &folder,
                                 std::vector<std::string> &warnings) {
  const LoraTarget *table = targets.module(
      Component::TextEncoder, "text_model.embeddings.token_embedding");
  const int64_t width = table && table->shape.size() == 2 ? table->shape[1] : 0;
  library = EmbeddingLibrary(folder, width, warnings);
  generator->useEmbeddings(&library);
}

} // namespace avila
