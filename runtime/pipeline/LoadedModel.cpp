//===- LoadedModel.cpp - An artifact, a checkpoint and a tokenizer --------===//

#include "runtime/pipeline/LoadedModel.h"

#include "runtime/pipeline/SeparateVae.h"

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
    : checkpoint(model), displayName(modelDisplayName(model)) {
  Artifact loaded = Artifact::load(artifact);
  if (checkpoint.layout() == Checkpoint::Layout::SingleFile)
    checkpoint.setKeyTranslator(singleFileKeys(loaded, checkpoint));
  tokenizer = std::make_unique<ClipTokenizer>(
      ClipTokenizer::locate(tokenizerPath, model));
  compiled = std::make_unique<Executable>(std::move(loaded), threads, device);
  generator = std::make_unique<Pipeline>(*compiled, *tokenizer,
                                         NoiseSchedule::forModel(model));
}

void LoadedModel::bindWeights() {
  compiled->bindWeights(checkpoint);
  if (separateVae)
    compiled->rebindWeights(Component::Vae, *separateVae);
  weightsBound = true;
}

void LoadedModel::useVae(const fs::path &vae) {
  if (vae == vaePath)
    return;
  std::optional<Checkpoint> opened;
  if (!vae.empty())
    opened.emplace(openSeparateVae(vae, compiled->artifact()));
  if (weightsBound)
    compiled->rebindWeights(Component::Vae, opened ? *opened : checkpoint);
  separateVae.reset();
  if (opened)
    separateVae.emplace(std::move(*opened));
  vaePath = vae;
}

} // namespace avila
