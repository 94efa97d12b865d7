//===- GenerationRequest.cpp - A1111's txt2img/img2img request body -------===//

#include "server/GenerationRequest.h"

#include "runtime/base/Error.h"
#include "server/ApiError.h"
#include "server/Base64.h"

#include <cmath>
#include <random>

using nlohmann::json;

namespace avila::server {
namespace {

// The fields both endpoints share, with A1111's defaults.
json commonDefaults() {
  return {{"prompt", ""},
          {"negative_prompt", ""},
          {"styles", nullptr},
          {"seed", -1},
          {"subseed", -1},
          {"subseed_strength", 0},
          {"seed_resize_from_h", -1},
          {"seed_resize_from_w", -1},
          {"sampler_name", nullptr},
          {"scheduler", nullptr},
          {"batch_size", 1},
          {"n_iter", 1},
          {"steps", 50},
          {"cfg_scale", 7.0},
          {"width", 512},
          {"height", 512},
          {"restore_faces", nullptr},
          {"tiling", nullptr},
          {"do_not_save_samples", false},
          {"do_not_save_grid", false},
          {"eta", nullptr},
          {"s_min_uncond", nullptr},
          {"s_churn", nullptr},
          {"s_tmax", nullptr},
          {"s_tmin", nullptr},
          {"s_noise", nullptr},
          {"override_settings", nullptr},
          {"override_settings_restore_afterwards", true},
          {"refiner_checkpoint", nullptr},
          {"refiner_switch_at", nullptr},
          {"disable_extra_networks", false},
          {"comments", nullptr},
          {"sampler_index", "Euler"},
          {"script_name", nullptr},
          {"script_args", json::array()},
          {"send_images", true},
          {"save_images", false},
          {"alwayson_scripts", json::object()},
          {"force_task_id", nullptr},
          {"infotext", nullptr}};
}

json txt2imgDefaults() {
  json defaults = commonDefaults();
  defaults.update({{"denoising_strength", nullptr},
                   {"enable_hr", false},
                   {"firstphase_width", 0},
                   {"firstphase_height", 0},
                   {"hr_scale", 2.0},
                   {"hr_upscaler", nullptr},
                   {"hr_second_pass_steps", 0},
                   {"hr_resize_x", 0},
                   {"hr_resize_y", 0},
                   {"hr_checkpoint_name", nullptr},
                   {"hr_sampler_name", nullptr},
                   {"hr_scheduler", nullptr},
                   {"hr_prompt", ""},
                   {"hr_negative_prompt", ""}});
  return defaults;
}

json img2imgDefaults() {
  json defaults = commonDefaults();
  defaults.update({{"init_images", nullptr},
                   {"resize_mode", 0},
                   {"image_cfg_scale", nullptr},
                   {"mask", nullptr},
                   {"mask_blur_x", 4},
                   {"mask_blur_y", 4},
                   {"mask_blur", nullptr},
                   {"mask_round", true},
                   {"inpainting_fill", 0},
                   {"inpaint_full_res", true},
                   {"inpaint_full_res_padding", 0},
                   {"inpainting_mask_invert", 0},
                   {"initial_noise_multiplier", nullptr},
                   {"latent_mask", nullptr},
                   {"denoising_strength", 0.75},
                   {"include_init_images", false}});
  return defaults;
}

// Typed access to the body's fields: null or absent is the default, any
// other type a 422 naming the field.
class Fields {
public:
  explicit Fields(const json &body) : body(body) {}

  const json *get(const char *key) const {
    const auto found = body.find(key);
    return found == body.end() || found->is_null() ? nullptr : &*found;
  }
  /// The field, or nullptr for its default; a 422 when it is not of the
  /// type `isType` tests for.
  const json *typed(const char *key, bool (json::*isType)() const noexcept,
                    const char *expected) const {
    const json *value = get(key);
    if (value && !(value->*isType)())
      invalid(std::string(key) + ": expected " + expected + ", got " +
              value->type_name());
    return value;
  }
  std::string string(const char *key, const std::string &fallback) const {
    const json *value = typed(key, &json::is_string, "a string");
    return value ? value->get<std::string>() : fallback;
  }
  int64_t integer(const char *key, int64_t fallback, int64_t low,
                  int64_t high) const {
    const json *value = typed(key, &json::is_number, "an integer");
    if (!value)
      return fallback;
    int64_t number = 0;
    if (value->is_number_integer() && !value->is_number_unsigned())
      number = value->get<int64_t>();
    else if (value->is_number_unsigned() &&
             value->get<uint64_t>() <= uint64_t(high))
      number = static_cast<int64_t>(value->get<uint64_t>());
    else if (value->is_number_float() && std::isfinite(value->get<double>()) &&
             std::trunc(value->get<double>()) == value->get<double>() &&
             std::fabs(value->get<double>()) < 9e15)
      number = static_cast<int64_t>(value->get<double>());
    else
      invalid(std::string(key) + ": must be an integer between " +
              std::to_string(low) + " and " + std::to_string(high));
    if (number < low || number > high)
      invalid(std::string(key) + ": must be between " + std::to_string(low) +
              " and " + std::to_string(high) + ", not " +
              std::to_string(number));
    return number;
  }
  double number(const char *key, double fallback, double low,
                double high) const {
    const json *value = typed(key, &json::is_number, "a number");
    if (!value)
      return fallback;
    const double number = value->get<double>();
    if (!(number >= low && number <= high))
      invalid(std::string(key) + ": must be between " + json(low).dump() +
              " and " + json(high).dump());
    return number;
  }
  bool boolean(const char *key, bool fallback) const {
    const json *value = typed(key, &json::is_boolean, "true or false");
    return value ? value->get<bool>() : fallback;
  }
  /// A field that asks for a feature this server lacks: only its
  /// default-like values (null, false, 0, "", empty) are accepted.
  void unsupported(const char *key, const std::string &what) const {
    const json *value = get(key);
    if (!value || value->empty() || *value == false || *value == 0 ||
        *value == "")
      return;
    invalid(std::string(key) + ": " + what + " is not supported yet");
  }

private:
  const json &body;
};

int dimension(const Fields &fields, const char *key, int high) {
  const int value = static_cast<int>(fields.integer(key, 512, 8, high));
  if (value % 8 != 0)
    invalid(std::string(key) + ": must be a multiple of 8, not " +
            std::to_string(value));
  return value;
}

// Scripts: clients send entries for extensions (ControlNet, ...) even when
// they ask nothing of them; those are ignored, the others refused.
void checkScripts(const Fields &fields) {
  const std::string script = fields.string("script_name", "");
  if (!script.empty() && script != "None")
    invalid("script_name: the script '" + script + "' is not available");
  const json *scripts = fields.get("alwayson_scripts");
  if (!scripts)
    return;
  if (!scripts->is_object())
    invalid("alwayson_scripts: expected an object");
  for (const auto &[name, entry] : scripts->items()) {
    const json *args = nullptr;
    if (entry.is_object() && entry.contains("args"))
      args = &entry["args"];
    if (args && !args->is_null() && !args->empty())
      invalid("alwayson_scripts: the script '" + name +
              "' is not available (it was given arguments)");
  }
}

// override_settings that change what a job does; the rest are UI settings
// with no effect here.
void readOverrides(const Fields &fields, GenerationRequest &request) {
  const json *overrides = fields.get("override_settings");
  if (!overrides)
    return;
  if (!overrides->is_object())
    invalid("override_settings: expected an object");
  const Fields settings(*overrides);
  request.checkpoint = settings.string("sd_model_checkpoint", "");
  // The pipeline checks it against the text encoder's layers.
  request.clipSkipGiven = settings.get("CLIP_stop_at_last_layers") != nullptr;
  request.parameters.clipSkip =
      static_cast<int>(settings.integer("CLIP_stop_at_last_layers", 1, 1, 64));
  if (settings.get("sd_vae"))
    request.vaeName = settings.string("sd_vae", "");
  request.restoreCheckpoint =
      fields.boolean("override_settings_restore_afterwards", true);
}

Image decodeInitImage(const json &encoded, size_t index) {
  const std::string where = "init_images[" + std::to_string(index) + "]";
  if (!encoded.is_string())
    invalid(where + ": expected a base64 string");
  const auto bytes = decodeBase64(encoded.get<std::string>());
  if (!bytes)
    invalid(where + ": not valid base64");
  try {
    return decodeImage(*bytes, where);
  } catch (const Error &error) {
    invalid(error.what());
  }
}

} // namespace

SamplerChoice resolveSampler(const std::string &name,
                             const std::string &scheduler) {
  SamplerChoice choice;
  try {
    choice = parseSamplerName(name);
  } catch (const Error &) {
    throw ApiError(400, "Sampler not found: '" + name + "'");
  }
  try {
    return scheduler.empty()
               ? choice
               : withSchedule(choice, parseScheduleName(scheduler));
  } catch (const Error &error) {
    invalid(std::string("scheduler: ") + error.what());
  }
}

GenerationRequest parseGenerationRequest(const json &body, bool img2img,
                                         const RequestLimits &limits) {
  if (!body.is_object())
    invalid("the request body must be a JSON object");
  const Fields fields(body);
  GenerationRequest request;
  GenerationParameters &p = request.parameters;
  p.rng = NoiseSource::TorchCuda; // A1111's default "randn_source: GPU"
  p.prompt = fields.string("prompt", "");
  p.negativePrompt = fields.string("negative_prompt", "");
  p.seed = fields.integer("seed", -1, -1, int64_t(1) << 53);
  p.subseed = fields.integer("subseed", -1, -1, int64_t(1) << 53);
  p.subseedStrength = fields.number("subseed_strength", 0, 0, 1);
  // 0 and -1 are "off"; the pipeline checks the rest.
  p.seedResizeFromWidth =
      static_cast<int>(fields.integer("seed_resize_from_w", -1, -1, 16384));
  p.seedResizeFromHeight =
      static_cast<int>(fields.integer("seed_resize_from_h", -1, -1, 16384));
  p.steps = static_cast<int>(fields.integer("steps", 50, 1, limits.maxSteps));
  p.cfgScale = fields.number("cfg_scale", 7.0, 0, 100);
  p.width = dimension(fields, "width", limits.maxWidth);
  p.height = dimension(fields, "height", limits.maxHeight);
  p.batchSize =
      static_cast<int>(fields.integer("batch_size", 1, 1, limits.maxBatchSize));
  p.batchCount =
      static_cast<int>(fields.integer("n_iter", 1, 1, limits.maxImages));
  if (p.batchSize * p.batchCount > limits.maxImages)
    invalid("n_iter × batch_size: at most " + std::to_string(limits.maxImages) +
            " images per request");
  p.sampler = resolveSampler(
      fields.string("sampler_name", fields.string("sampler_index", "Euler")),
      fields.string("scheduler", ""));

  fields.unsupported("enable_hr", "hires fix (enable_hr)");
  fields.unsupported("restore_faces", "face restoration");
  fields.unsupported("tiling", "tiling");
  fields.unsupported("refiner_checkpoint", "a refiner");
  fields.unsupported("mask", "inpainting (mask)");
  fields.unsupported("latent_mask", "inpainting (latent_mask)");
  checkScripts(fields);
  readOverrides(fields, request);
  request.sendImages = fields.boolean("send_images", true);
  request.saveImages = fields.boolean("save_images", false) &&
                       !fields.boolean("do_not_save_samples", false);

  json echo = img2img ? img2imgDefaults() : txt2imgDefaults();
  if (img2img) {
    p.strength = fields.number("denoising_strength", 0.75, 0, 1);
    const int64_t mode = fields.integer("resize_mode", 0, 0, 3);
    if (mode == 3)
      invalid("resize_mode: 3 (just resize, latent upscale) is not "
              "supported yet");
    p.resizeMode = static_cast<ResizeMode>(mode);
    const json *images = fields.get("init_images");
    if (!images || (images->is_array() && images->empty()))
      throw ApiError(404, "Init image not found");
    if (!images->is_array())
      invalid("init_images: expected a list of base64 images");
    // A1111 uses the first image for every image of the batch.
    request.initImage = decodeInitImage((*images)[0], 0);
    for (size_t i = 1; i < images->size(); ++i)
      decodeInitImage((*images)[i], i);
  }
  for (auto &[key, value] : echo.items())
    if (const json *given = fields.get(key.c_str()))
      value = *given;
  // As A1111: the images are echoed only when asked for.
  if (img2img && !fields.boolean("include_init_images", false))
    echo["init_images"] = nullptr;
  request.echo = std::move(echo);

  if (p.seed == -1)
    p.seed = std::random_device()() % 4294967294u;
  return request;
}

} // namespace avila::server
