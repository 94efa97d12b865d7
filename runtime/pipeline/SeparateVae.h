//===- SeparateVae.h - A VAE from another file than the checkpoint -*- C++
//-*-===//
//
// What `--vae` and A1111's `sd_vae` name: a VAE whose weights replace the
// checkpoint's, in any of the layouts users have: a single .safetensors
// file with the original `first_stage_model.` keys (a whole checkpoint is
// fine), a bare VAE file (`encoder.`, `decoder.`, `quant_conv.`, ... in the
// original names, as vae-ft-mse-840000-ema-pruned.safetensors), one in
// diffusers names, a diffusers `vae/` folder, or a diffusers model folder.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_PIPELINE_SEPARATEVAE_H
#define AVILA_RUNTIME_PIPELINE_SEPARATEVAE_H

#include "runtime/artifact/Artifact.h"
#include "runtime/weights/Checkpoint.h"

namespace avila {

/// `path` opened so that `artifact`'s VAE weights are found in it by their
/// canonical names. Throws avila::Error for a file or folder that holds no
/// VAE, naming a missing tensor or one of a shape that does not fit.
Checkpoint openSeparateVae(const std::filesystem::path &path,
                           const Artifact &artifact);

} // namespace avila

#endif // AVILA_RUNTIME_PIPELINE_SEPARATEVAE_H
