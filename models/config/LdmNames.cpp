//===- LdmNames.cpp - Single-file (LDM) names of the canonical weights ----===//

#include "models/config/LdmNames.h"

#include <algorithm>

namespace avila::models {

namespace {

using Rename = LdmNames::Rename;

const std::vector<Rename> kUNetResnet = {
    {"norm1.", "in_layers.0."},          {"conv1.", "in_layers.2."},
    {"time_emb_proj.", "emb_layers.1."}, {"norm2.", "out_layers.0."},
    {"conv2.", "out_layers.3."},         {"conv_shortcut.", "skip_connection."},
};
const std::vector<Rename> kVaeResnet = {{"conv_shortcut.", "nin_shortcut."}};
const std::vector<Rename> kVaeAttention = {
    {"group_norm.", "norm."},
    {"to_q.", "q."},
    {"to_k.", "k."},
    {"to_v.", "v."},
    {"to_out.0.", "proj_out."},
};

std::string str(int64_t value) { return std::to_string(value); }

void addUNetRules(std::vector<LdmNames::Rule> &rules, const UNetConfig &unet) {
  auto add = [&](std::string canonical, std::string ldm,
                 std::vector<Rename> renames = {}) {
    rules.push_back({Component::UNet, std::move(canonical),
                     "model.diffusion_model." + ldm, std::move(renames)});
  };
  const int64_t layers = unet.layersPerBlock, levels = unet.levels();
  add("time_embedding.linear_1.", "time_embed.0.");
  add("time_embedding.linear_2.", "time_embed.2.");
  add("conv_in.", "input_blocks.0.0.");
  for (int64_t i = 0; i < levels; ++i) {
    const std::string down = "down_blocks." + str(i) + ".";
    for (int64_t j = 0; j < layers; ++j) {
      const std::string block = "input_blocks." + str(1 + i * (layers + 1) + j);
      add(down + "resnets." + str(j) + ".", block + ".0.", kUNetResnet);
      add(down + "attentions." + str(j) + ".", block + ".1.");
    }
    if (i + 1 < levels)
      add(down + "downsamplers.0.conv.",
          "input_blocks." + str((i + 1) * (layers + 1)) + ".0.op.");
  }
  add("mid_block.resnets.0.", "middle_block.0.", kUNetResnet);
  add("mid_block.attentions.0.", "middle_block.1.");
  add("mid_block.resnets.1.", "middle_block.2.", kUNetResnet);
  for (int64_t i = 0; i < levels; ++i) {
    const std::string up = "up_blocks." + str(i) + ".";
    for (int64_t j = 0; j <= layers; ++j) {
      const std::string block = "output_blocks." + str(i * (layers + 1) + j);
      add(up + "resnets." + str(j) + ".", block + ".0.", kUNetResnet);
      add(up + "attentions." + str(j) + ".", block + ".1.");
    }
    if (i + 1 < levels)
      add(up + "upsamplers.0.conv.",
          "output_blocks." + str(i * (layers + 1) + layers) + "." +
              (unet.upAttention[i] ? "2" : "1") + ".conv.");
  }
  add("conv_norm_out.", "out.0.");
  add("conv_out.", "out.2.");
}

void addVaeRules(std::vector<LdmNames::Rule> &rules, const VaeConfig &vae) {
  auto add = [&](std::string canonical, std::string ldm,
                 std::vector<Rename> renames = {}) {
    rules.push_back({Component::Vae, std::move(canonical),
                     "first_stage_model." + ldm, std::move(renames)});
  };
  const int64_t levels = vae.levels(), layers = vae.layersPerBlock;
  for (const char *half : {"encoder.", "decoder."}) {
    const std::string h = half;
    add(h + "mid_block.resnets.0.", h + "mid.block_1.", kVaeResnet);
    add(h + "mid_block.resnets.1.", h + "mid.block_2.", kVaeResnet);
    add(h + "mid_block.attentions.0.", h + "mid.attn_1.", kVaeAttention);
    add(h + "conv_norm_out.", h + "norm_out.");
  }
  for (int64_t i = 0; i < levels; ++i) {
    const std::string ldmDown = "encoder.down." + str(i) + ".";
    const std::string down = "encoder.down_blocks." + str(i) + ".";
    for (int64_t j = 0; j < layers; ++j)
      add(down + "resnets." + str(j) + ".", ldmDown + "block." + str(j) + ".",
          kVaeResnet);
    add(down + "downsamplers.0.", ldmDown + "downsample.");
    // The decoder's up blocks are numbered from the lowest resolution in
    // diffusers and from the highest in the original code.
    const std::string ldmUp = "decoder.up." + str(levels - 1 - i) + ".";
    const std::string up = "decoder.up_blocks." + str(i) + ".";
    for (int64_t j = 0; j <= layers; ++j)
      add(up + "resnets." + str(j) + ".", ldmUp + "block." + str(j) + ".",
          kVaeResnet);
    add(up + "upsamplers.0.", ldmUp + "upsample.");
  }
  add("", ""); // conv_in, conv_out, quant_conv, post_quant_conv: same names
}

} // namespace

LdmNames::LdmNames(const ModelConfig &config, bool textModelLevel) {
  addUNetRules(rules, config.unet);
  addVaeRules(rules, config.vae);
  rules.push_back({Component::TextEncoder,
                   "text_model.",
                   textModelLevel ? "cond_stage_model.transformer.text_model."
                                  : "cond_stage_model.transformer.",
                   {}});
  std::sort(rules.begin(), rules.end(), [](const Rule &a, const Rule &b) {
    return a.canonicalPrefix.size() > b.canonicalPrefix.size();
  });
}

std::string LdmNames::operator()(Component component,
                                 const std::string &name) const {
  for (const Rule &rule : rules) {
    if (rule.component != component ||
        name.compare(0, rule.canonicalPrefix.size(), rule.canonicalPrefix) != 0)
      continue;
    std::string leaf = name.substr(rule.canonicalPrefix.size());
    for (const Rename &rename : rule.leafRenames) {
      const std::string from = rename.canonical;
      if (leaf.compare(0, from.size(), from) == 0) {
        leaf = rename.ldm + leaf.substr(from.size());
        break;
      }
    }
    return rule.ldmPrefix + leaf;
  }
  return {};
}

} // namespace avila::models
