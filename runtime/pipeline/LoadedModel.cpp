//===- LoadedModel.cpp - An artifact, a checkpoint and a tokenizer --------===//

#include "runtime/pipeline/LoadedModel.h"

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

void LoadedModel::bindWeights() { compiled->bindWeights(checkpoint); }

} // namespace avila
