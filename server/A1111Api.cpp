//===- A1111Api.cpp - The AUTOMATIC1111 web UI's /sdapi/v1 routes ---------===//
//
// Shapes as AUTOMATIC1111's modules/api/api.py answers them (version 1.9).
//
//===----------------------------------------------------------------------===//

#include "server/A1111Api.h"

#include "runtime/base/Error.h"
#include "runtime/image/Png.h"
#include "runtime/pipeline/Infotext.h"
#include "server/Base64.h"
#include "server/ClientConnection.h"
#include "server/JsonRoute.h"
#include "server/LatentPreview.h"

#include <algorithm>
#include <fstream>
#include <random>
#include <unistd.h>

using nlohmann::json;
namespace fs = std::filesystem;

namespace avila::server {
namespace {

constexpr const char *kPrefix = "/sdapi/v1/";

std::string pngBase64(const Image &image,
                      const std::map<std::string, std::string> &text) {
  return encodeBase64(encodePng(image, text));
}

json samplerList() {
  json list = json::array();
  for (SamplerKind kind :
       {SamplerKind::EulerAncestral, SamplerKind::Euler, SamplerKind::DpmPp2M,
        SamplerKind::Heun, SamplerKind::Ddim, SamplerKind::Pndm,
        SamplerKind::UniPc, SamplerKind::Lcm}) {
    const SamplerChoice choice{kind};
    list.push_back({{"name", a1111SamplerName(choice)},
                    {"aliases", {samplerName(choice)}},
                    {"options", json::object()}});
  }
  return list;
}

json schedulerList() {
  json list = json::array();
  for (const ScheduleInfo &info : knownSchedules())
    list.push_back(
        {{"name", info.name},
         {"label", info.label},
         {"aliases", info.alias ? json::array({info.alias}) : json(nullptr)},
         {"default_rho", info.defaultRho},
         {"need_inner_model", info.needInnerModel}});
  return list;
}

// A PNG's text chunks; libpng reads files, so the bytes pass through one.
std::map<std::string, std::string> pngText(const std::vector<uint8_t> &bytes) {
  std::string name =
      (fs::temp_directory_path() / "avila-server-png-XXXXXX").string();
  const int descriptor = mkstemp(name.data());
  if (descriptor < 0)
    throw ApiError(500, "cannot create a temporary file");
  close(descriptor);
  {
    std::ofstream file(name, std::ios::binary);
    file.write(reinterpret_cast<const char *>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  }
  try {
    auto text = readPngText(name);
    fs::remove(name);
    return text;
  } catch (const Error &) {
    fs::remove(name);
    invalid("image: not a PNG file");
  }
}

json pngInfo(const json &body) {
  if (!body.is_object())
    invalid("the request body must be a JSON object");
  const auto image = body.find("image");
  if (image == body.end() || image->is_null() ||
      (image->is_string() && image->get<std::string>().empty()))
    return {{"info", ""},
            {"items", json::object()},
            {"parameters", json::object()}};
  if (!image->is_string())
    invalid("image: expected a base64 string");
  const auto bytes = decodeBase64(image->get<std::string>());
  if (!bytes)
    invalid("image: not valid base64");
  std::map<std::string, std::string> text = pngText(*bytes);
  std::string info;
  if (auto found = text.find("parameters"); found != text.end()) {
    info = found->second;
    text.erase(found);
  }
  json parameters = json::object();
  if (!info.empty()) {
    const ParsedInfotext parsed = parseInfotext(info);
    parameters["Prompt"] = parsed.prompt;
    parameters["Negative prompt"] = parsed.negativePrompt;
    for (const auto &[key, value] : parsed.settings)
      parameters[key] = value;
  }
  return {{"info", info}, {"items", text}, {"parameters", parameters}};
}

// /proc/meminfo's "Key: N kB" as bytes.
int64_t meminfo(const std::string &key) {
  std::ifstream file("/proc/meminfo");
  for (std::string line; std::getline(file, line);)
    if (line.starts_with(key + ":"))
      return std::stoll(line.substr(key.size() + 1)) * 1024;
  return 0;
}

} // namespace

A1111Api::A1111Api(const ServerOptions &options, ModelCatalog &catalog,
                   DeviceWorker &worker)
    : options(options), catalog(catalog), worker(worker),
      outputs(options.outputsDir) {}

json A1111Api::generate(const httplib::Request &http, bool img2img) {
  GenerationRequest request =
      parseGenerationRequest(parseBody(http), img2img, options.limits);
  {
    std::lock_guard<std::mutex> lock(optionsMutex);
    if (posted.value("randn_source", "GPU") == "CPU")
      request.parameters.rng = NoiseSource::TorchCpu;
    if (!request.clipSkipGiven)
      request.parameters.clipSkip = posted.value("CLIP_stop_at_last_layers", 1);
    request.vaeFile =
        request.vaeName
            ? vaeFile(*request.vaeName, "override_settings.sd_vae")
            : vaeFile(posted.value("sd_vae", "Automatic"), "sd_vae");
  }
  if (request.parameters.subseed == -1)
    request.parameters.subseed = std::random_device()() % 4294967294u;
  const json echo = request.echo;
  const bool send = request.sendImages, save = request.saveImages;
  const ClientConnection client(http);
  const JobResult result =
      worker.run(std::move(request), [&] { return client.closed(); });

  const GenerationParameters &p = result.parameters;
  const int count = p.batchSize * p.batchCount;
  json images = json::array(), infotexts = json::array(), seeds = json::array(),
       subseeds = json::array();
  for (const GeneratedImage &image : result.images) {
    if (send)
      images.push_back(
          pngBase64(image.image, {{"parameters", image.infotext}}));
    if (save)
      outputs.save(image, img2img);
    infotexts.push_back(image.infotext);
  }
  for (int i = 0; i < count; ++i) {
    seeds.push_back(imageSeed(p, i));
    subseeds.push_back(imageSubseed(p, i));
  }
  SamplerChoice plain = p.sampler;
  plain.schedule = Schedule::Automatic;
  const json info = {
      {"prompt", p.prompt},
      {"all_prompts", json::array_t(count, p.prompt)},
      {"negative_prompt", p.negativePrompt},
      {"all_negative_prompts", json::array_t(count, p.negativePrompt)},
      {"seed", p.seed},
      {"all_seeds", seeds},
      {"subseed", p.subseed},
      {"all_subseeds", subseeds},
      {"subseed_strength", p.subseedStrength},
      {"width", p.width},
      {"height", p.height},
      {"sampler_name", a1111SamplerName(plain)},
      {"scheduler", scheduleInfo(p.sampler.schedule).label},
      {"cfg_scale", p.cfgScale},
      {"steps", p.steps},
      {"batch_size", p.batchSize},
      {"restore_faces", false},
      {"face_restoration_model", nullptr},
      {"sd_model_name", result.model.modelName()},
      {"sd_model_hash", result.model.shortHash()},
      {"sd_vae_name",
       result.vae.empty() ? json(nullptr) : json(result.vae.filename())},
      {"sd_vae_hash", nullptr},
      {"seed_resize_from_w", p.seedResizeFromWidth},
      {"seed_resize_from_h", p.seedResizeFromHeight},
      {"denoising_strength", img2img ? json(p.strength) : json(nullptr)},
      {"extra_generation_params",
       p.loraHashes.empty()
           ? json::object()
           : json{{"Lora hashes", loraHashesText(p.loraHashes)}}},
      {"index_of_first_image", 0},
      {"infotexts", infotexts},
      {"styles", json::array()},
      {"job_timestamp", result.jobTimestamp},
      {"clip_skip", p.clipSkip},
      {"is_using_inpainting_conditioning", false},
      {"version", "avila"}};
  return {{"images", images},
          {"parameters", echo},
          {"info", info.dump(-1, ' ', false, json::error_handler_t::replace)}};
}

json A1111Api::loraList() {
  json list = json::array();
  for (const LoraOnDisk &lora : worker.loras().entries()) {
    // A1111 reads metadata values that look like JSON objects as JSON.
    json metadata = json::object();
    for (const auto &[key, value] : lora.metadata) {
      metadata[key] = value;
      if (value.starts_with("{")) {
        json parsed = json::parse(value, nullptr, false);
        if (!parsed.is_discarded())
          metadata[key] = std::move(parsed);
      }
    }
    list.push_back({{"name", lora.name},
                    {"alias", lora.alias},
                    {"path", lora.path.string()},
                    {"metadata", metadata}});
  }
  return list;
}

json A1111Api::progress(const httplib::Request &request) const {
  const std::string skip = request.get_param_value("skip_current_image");
  const bool skipImage = skip == "true" || skip == "True" || skip == "1";
  const ProgressSnapshot s = worker.progress();
  json state = {{"skipped", s.skipped},
                {"interrupted", s.interrupted},
                {"job", s.active ? "Batch " + std::to_string(s.jobNo + 1) +
                                       " out of " + std::to_string(s.jobCount)
                                 : ""},
                {"job_count", s.jobCount},
                {"job_timestamp", s.jobTimestamp},
                {"job_no", s.jobNo},
                {"sampling_step", s.step},
                {"sampling_steps", s.steps}};
  if (!s.active)
    return {{"progress", 0},
            {"eta_relative", 0},
            {"state", state},
            {"current_image", nullptr},
            {"textinfo", nullptr}};
  // A1111's arithmetic, its 0.01 head start included.
  double fraction = 0.01 + double(s.jobNo) / s.jobCount;
  if (s.steps > 0)
    fraction += 1.0 / s.jobCount * s.step / s.steps;
  fraction = std::min(fraction, 1.0);
  const double eta = s.seconds / fraction - s.seconds;
  json image = nullptr;
  if (!skipImage && s.latents)
    image = pngBase64(previewLatents(*s.latents), {});
  return {{"progress", fraction},
          {"eta_relative", eta},
          {"state", state},
          {"current_image", image},
          {"textinfo",
           "Step " + std::to_string(s.step) + "/" + std::to_string(s.steps)}};
}

json A1111Api::getOptions() const {
  const auto model = worker.model();
  json values = {
      {"sd_model_checkpoint", model ? json(model->title()) : json(nullptr)},
      {"sd_checkpoint_hash", model ? json(model->sha256) : json(nullptr)},
      {"sd_vae", "Automatic"},
      {"CLIP_stop_at_last_layers", 1},
      {"samples_format", "png"},
      {"samples_save", true},
      {"save_images_add_number", true},
      {"outdir_samples", ""},
      {"outdir_txt2img_samples",
       (options.outputsDir / "txt2img-images").string()},
      {"outdir_img2img_samples",
       (options.outputsDir / "img2img-images").string()},
      {"randn_source", "GPU"},
      {"eta_noise_seed_delta", 0},
      {"sd_checkpoints_limit", 1},
      {"live_previews_enable", true},
      {"show_progress_every_n_steps", 1},
      {"show_progress_type", "Approx cheap"},
      {"live_preview_content", "Prompt"},
      {"enable_pnginfo", true},
      {"sd_lora", "None"}};
  std::lock_guard<std::mutex> lock(optionsMutex);
  for (const auto &[key, value] : posted.items())
    if (key != "sd_model_checkpoint" && key != "sd_checkpoint_hash")
      values[key] = value;
  return values;
}

json A1111Api::setOptions(const httplib::Request &request) {
  const json body = parseBody(request);
  if (!body.is_object())
    invalid("the request body must be a JSON object of settings");
  if (const auto checkpoint = body.find("sd_model_checkpoint");
      checkpoint != body.end() && !checkpoint->is_null()) {
    if (!checkpoint->is_string())
      invalid("sd_model_checkpoint: expected a string");
    const std::string key = checkpoint->get<std::string>();
    const auto model = worker.model();
    if (!model || (key != model->title() && key != model->name &&
                   key != model->modelName() && key != model->shortHash() &&
                   key != model->sha256))
      worker.switchModel(key).get();
  }
  if (const auto source = body.find("randn_source");
      source != body.end() && *source != "CPU" && *source != "GPU")
    invalid("randn_source: CPU or GPU");
  if (const auto vae = body.find("sd_vae"); vae != body.end()) {
    if (!vae->is_string())
      invalid("sd_vae: expected a string");
    vaeFile(vae->get<std::string>(), "sd_vae");
  }
  if (const auto skip = body.find("CLIP_stop_at_last_layers");
      skip != body.end() &&
      !(skip->is_number_integer() && *skip >= 1 && *skip <= 64))
    invalid("CLIP_stop_at_last_layers: an integer from 1 to 64");
  std::lock_guard<std::mutex> lock(optionsMutex);
  posted.update(body);
  return nullptr;
}

json A1111Api::models() const {
  json list = json::array();
  for (const CatalogEntry &entry : catalog.entries())
    list.push_back({{"title", entry.title()},
                    {"model_name", entry.modelName()},
                    {"hash", entry.shortHash()},
                    {"sha256", entry.sha256},
                    {"filename", fs::absolute(entry.path).string()},
                    {"config", nullptr}});
  return list;
}

json A1111Api::memory() const {
  const int64_t total = meminfo("MemTotal");
  const int64_t available = meminfo("MemAvailable");
  const auto [current, peak] = worker.deviceMemory();
  return {
      {"ram",
       {{"free", available}, {"used", total - available}, {"total", total}}},
      {"cuda",
       {{"error", "no CUDA here: the networks run on " + worker.deviceName()}}},
      {"device",
       {{"name", worker.deviceName()}, {"current", current}, {"peak", peak}}}};
}

json A1111Api::vaeList() const {
  json list = json::array();
  std::error_code error;
  if (options.vaeDir.empty() || !fs::is_directory(options.vaeDir, error))
    return list;
  std::vector<fs::path> files;
  for (const auto &entry : fs::directory_iterator(options.vaeDir, error))
    if (entry.path().extension() == ".safetensors" &&
        entry.is_regular_file(error))
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path &file : files)
    list.push_back({{"model_name", file.filename().string()},
                    {"filename", fs::absolute(file).string()}});
  return list;
}

fs::path A1111Api::vaeFile(const std::string &name,
                           const std::string &field) const {
  if (name.empty() || name == "Automatic" || name == "None")
    return {};
  for (const json &vae : vaeList())
    if (vae.at("model_name") == name)
      return vae.at("filename").get<std::string>();
  invalid(field + ": no VAE '" + name + "' (GET /sdapi/v1/sd-vae lists them)");
}

json A1111Api::commandLineFlags() const {
  return {{"api", true},
          {"nowebui", true},
          {"listen", options.listen != "127.0.0.1"},
          {"server_name", options.listen},
          {"port", options.port},
          {"api_auth", nullptr}, // never shown
          {"cors_allow_origins", options.corsOrigins.empty()
                                     ? json(nullptr)
                                     : json(options.corsOrigins)},
          {"ckpt_dir", options.modelsDir.empty()
                           ? json(nullptr)
                           : json(options.modelsDir.string())},
          {"ckpt", options.model.empty() ? json(nullptr)
                                         : json(options.model.string())},
          {"device", options.device},
          {"artifact", options.artifact.string()}};
}

void A1111Api::install(httplib::Server &http) {
  const std::string p = kPrefix;
  http.Post(p + "txt2img", jsonRoute([this](const httplib::Request &r) {
              return generate(r, false);
            }));
  http.Post(p + "img2img", jsonRoute([this](const httplib::Request &r) {
              return generate(r, true);
            }));
  http.Get(p + "progress", jsonRoute([this](const httplib::Request &r) {
             return progress(r);
           }));
  http.Post(p + "interrupt", jsonRoute([this](const httplib::Request &) {
              worker.interrupt();
              return json::object();
            }));
  http.Post(p + "skip", jsonRoute([this](const httplib::Request &) {
              worker.skip();
              return json::object();
            }));
  http.Get(p + "options", jsonRoute([this](const httplib::Request &) {
             return getOptions();
           }));
  http.Post(p + "options", jsonRoute([this](const httplib::Request &r) {
              return setOptions(r);
            }));
  http.Get(p + "sd-models",
           jsonRoute([this](const httplib::Request &) { return models(); }));
  http.Post(p + "refresh-checkpoints",
            jsonRoute([this](const httplib::Request &) {
              catalog.refresh();
              return json(nullptr);
            }));
  http.Post(p + "unload-checkpoint",
            jsonRoute([this](const httplib::Request &) {
              worker.unload().get();
              return json(nullptr);
            }));
  http.Post(p + "reload-checkpoint",
            jsonRoute([this](const httplib::Request &) {
              worker.reload().get();
              return json(nullptr);
            }));
  http.Post(p + "png-info", jsonRoute([](const httplib::Request &r) {
              return pngInfo(parseBody(r));
            }));
  http.Get(p + "memory",
           jsonRoute([this](const httplib::Request &) { return memory(); }));
  http.Get(p + "cmd-flags", jsonRoute([this](const httplib::Request &) {
             return commandLineFlags();
           }));
  http.Get(p + "sd-vae",
           jsonRoute([this](const httplib::Request &) { return vaeList(); }));
  http.Get(p + "loras",
           jsonRoute([this](const httplib::Request &) { return loraList(); }));
  http.Post(p + "refresh-loras", jsonRoute([this](const httplib::Request &) {
              worker.loras().refresh();
              return json(nullptr);
            }));
  http.Get(p + "embeddings", jsonRoute([this](const httplib::Request &) {
             return worker.embeddings();
           }));
  // Lists of what this server has; A1111 clients read their shapes.
  const std::vector<std::pair<std::string, json>> lists = {
      {"samplers", samplerList()},
      {"schedulers", schedulerList()},
      {"upscalers", json::array()},
      {"latent-upscale-modes", json::array()},
      {"hypernetworks", json::array()},
      {"face-restorers", json::array()},
      {"prompt-styles", json::array()},
      {"scripts", {{"txt2img", json::array()}, {"img2img", json::array()}}},
      {"script-info", json::array()},
      {"extensions", json::array()}};
  for (const auto &[name, value] : lists)
    http.Get(p + name,
             jsonRoute([value](const httplib::Request &) { return value; }));
}

} // namespace avila::server
