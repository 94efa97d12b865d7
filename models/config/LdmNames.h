//===- LdmNames.h - Single-file (LDM) names of the canonical weights -*- C++
//-*-===//
//
// The one name map between the original single-file layout
// (model.diffusion_model.*, first_stage_model.*, cond_stage_model.*) and the
// canonical diffusers names the graphs use. It is data: block prefixes that
// follow from the configuration, and per-block leaf renames.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_MODELS_CONFIG_LDMNAMES_H
#define AVILA_MODELS_CONFIG_LDMNAMES_H

#include "models/config/ModelConfig.h"
#include "runtime/weights/Component.h"

#include <string>
#include <vector>

namespace avila::models {

class LdmNames {
public:
  /// `textModelLevel`: whether the text encoder's keys sit under
  /// "cond_stage_model.transformer.text_model." (current transformers) rather
  /// than "cond_stage_model.transformer." (old checkpoints).
  LdmNames(const ModelConfig &config, bool textModelLevel = true);

  /// The single-file key of canonical weight `name` of `component`.
  std::string operator()(Component component, const std::string &name) const;

  struct Rename {
    const char *canonical;
    const char *ldm;
  };
  struct Rule {
    Component component;
    std::string canonicalPrefix;
    std::string ldmPrefix;
    std::vector<Rename> leafRenames;
  };

private:
  std::vector<Rule> rules; // longest canonical prefix first
};

} // namespace avila::models

#endif // AVILA_MODELS_CONFIG_LDMNAMES_H
