//===- GenerationRequest.h - A1111's txt2img/img2img request body -*-
// C++-*-===//
//
// The JSON body of POST /sdapi/v1/txt2img and img2img, with A1111's field
// names and defaults (modules/api/models.py, modules/processing.py),
// checked field by field: a wrong type or a value out of range is a 422
// naming the field, an unknown sampler a 400, a missing init image a 404,
// features this server lacks (inpainting masks, hires fix, scripts with
// arguments, ...) a 422 naming them. Unknown fields are ignored.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_GENERATIONREQUEST_H
#define AVILA_SERVER_GENERATIONREQUEST_H

#include "runtime/image/Image.h"
#include "runtime/pipeline/GenerationParameters.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace avila::server {

struct RequestLimits {
  int maxWidth = 2048, maxHeight = 2048, maxSteps = 150, maxBatchSize = 8,
      maxImages = 64;
};

struct GenerationRequest {
  GenerationParameters parameters; // the seed is resolved (never -1)
  std::optional<Image> initImage;  // img2img
  /// override_settings.sd_model_checkpoint; empty: the loaded model.
  std::string checkpoint;
  bool restoreCheckpoint = true;
  /// override_settings.CLIP_stop_at_last_layers was given (else the
  /// options' value applies).
  bool clipSkipGiven = false;
  /// override_settings.sd_vae, when given ("Automatic", "None" or a name
  /// GET sd-vae lists).
  std::optional<std::string> vaeName;
  /// The VAE file the job decodes with, resolved from vaeName or the
  /// options; empty: the checkpoint's own.
  std::filesystem::path vaeFile;
  bool sendImages = true;
  bool saveImages = false;
  /// The response's "parameters": every field with its default or value.
  nlohmann::json echo;
};

GenerationRequest parseGenerationRequest(const nlohmann::json &body,
                                         bool img2img,
                                         const RequestLimits &limits);

/// sampler_name (or the legacy sampler_index) with scheduler: "DPM++ 2M"
/// with "karras" (any of knownSchedules), or the legacy combined "DPM++ 2M
/// Karras". Throws ApiError 400 for an unknown sampler, 422 for an unknown
/// scheduler or one the sampler does not take.
SamplerChoice resolveSampler(const std::string &name,
                             const std::string &scheduler);

} // namespace avila::server

#endif // AVILA_SERVER_GENERATIONREQUEST_H
