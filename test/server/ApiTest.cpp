//===- ApiTest.cpp - avila-server's A1111 API over real HTTP --------------===//
//
// One server (the real binary) for the suite; every endpoint's shape, a
// txt2img byte-identical to avila-run's and within the golden image's
// tolerance, img2img, progress with previews, interrupt and skip, model
// switching, png-info, save_images, and hostile input.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/Image.h"
#include "runtime/image/Png.h"
#include "runtime/weights/Safetensors.h"
#include "server/Base64.h"
#include "test/server/ServerProcess.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace avila::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kShared = AVILA_SHARED_DIR;
const fs::path kTiny = kShared / "golden/tiny-sd";

std::vector<uint8_t> fileBytes(const fs::path &path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), {}};
}

std::vector<uint8_t> decoded(const json &base64) {
  auto bytes = server::decodeBase64(base64.get<std::string>());
  EXPECT_TRUE(bytes.has_value());
  return bytes.value_or(std::vector<uint8_t>{});
}

json tinyRequest(json extra = json::object()) {
  json body = {{"prompt", "a red circle"},
               {"width", 64},
               {"height", 64},
               {"steps", 2},
               {"seed", 5}};
  body.update(extra);
  return body;
}

// The golden txt2img.ddim case of ../shared/golden/tiny-sd.
const json kGoldenRequest = {
    {"prompt", "a photograph of an astronaut riding a horse"},
    {"negative_prompt", "blurry, low quality"},
    {"sampler_name", "DDIM"},
    {"seed", 1234},
    {"cfg_scale", 7.5},
    {"steps", 6},
    {"width", 128},
    {"height", 128}};

// The PNG avila-run writes for a request of kGoldenRequest's fields, with
// the server's noise (A1111's GPU generator); `device` as --device takes it.
std::vector<uint8_t> avilaRunPng(const fs::path &folder, const json &body,
                                 const std::string &artifact,
                                 const std::string &device) {
  const fs::path png = folder / "avila-run.png";
  std::vector<std::string> words = {std::getenv("AVILA_RUN"),
                                    "--artifact",
                                    artifact,
                                    "--device",
                                    device,
                                    "--model",
                                    (folder / "models/diffusers-fp16").string(),
                                    "--rng",
                                    "cuda",
                                    "-o",
                                    png.string()};
  for (const auto &[flag, field] :
       std::vector<std::pair<std::string, std::string>>{
           {"--prompt", "prompt"},
           {"--negative-prompt", "negative_prompt"},
           {"--sampler", "sampler_name"},
           {"--seed", "seed"},
           {"--cfg-scale", "cfg_scale"},
           {"--steps", "steps"},
           {"--width", "width"},
           {"--height", "height"},
           {"--scheduler", "scheduler"},
           {"--subseed", "subseed"},
           {"--subseed-strength", "subseed_strength"},
           {"--seed-resize-from-w", "seed_resize_from_w"},
           {"--seed-resize-from-h", "seed_resize_from_h"}}) {
    if (!body.contains(field))
      continue;
    words.push_back(flag);
    const json &value = body.at(field);
    words.push_back(value.is_string() ? value.get<std::string>()
                                      : value.dump());
  }
  const auto [status, output] = runCommand(words);
  EXPECT_EQ(status, 0) << output;
  return fileBytes(png);
}

class Api : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    // --vae-dir: tiny-sd's single file, whose first_stage_model. keys
    // hold its VAE.
    fs::create_directories(vaeFolder());
    fs::create_symlink(kTiny / "tiny-sd-ldm-fp16.safetensors",
                       vaeFolder() / "tiny-ldm.safetensors");
    server = new ServerProcess(
        {"--max-body-bytes", "4194304", "--vae-dir", vaeFolder().string()});
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
    fs::remove_all(vaeFolder());
  }
  static fs::path vaeFolder() {
    return fs::temp_directory_path() /
           ("avila-api-vae-" + std::to_string(getpid()));
  }
  // The server's state between tests: the diffusers model, GPU noise.
  void TearDown() override {
    httplib::Client client = server->client();
    postJson(
        client, "/sdapi/v1/options",
        {{"sd_model_checkpoint", "diffusers-fp16"}, {"randn_source", "GPU"}});
  }

  json get(const std::string &path) {
    httplib::Client client = server->client();
    const auto result = client.Get(path.c_str());
    EXPECT_TRUE(result && result->status == 200) << path;
    return jsonOf(result);
  }
  httplib::Result post(const std::string &path, const json &body) {
    httplib::Client client = server->client();
    return postJson(client, path, body);
  }
  // Polls progress until `ready` holds (or 60 s pass).
  json waitForProgress(const std::function<bool(const json &)> &ready) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const json progress = get("/sdapi/v1/progress");
      if (ready(progress))
        return progress;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "progress never got there";
    return nullptr;
  }

  static ServerProcess *server;
};
ServerProcess *Api::server = nullptr;

TEST_F(Api, ListsHaveA1111Shapes) {
  const json samplers = get("/sdapi/v1/samplers");
  ASSERT_TRUE(samplers.is_array());
  std::vector<std::string> names;
  for (const json &sampler : samplers) {
    names.push_back(sampler.at("name"));
    EXPECT_TRUE(sampler.at("aliases").is_array());
    EXPECT_TRUE(sampler.at("options").is_object());
  }
  for (const char *name : {"Euler a", "Euler", "DPM++ 2M", "DDIM", "UniPC"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  const json schedulers = get("/sdapi/v1/schedulers");
  ASSERT_EQ(schedulers.size(), 11u);
  EXPECT_EQ(schedulers[2].at("name"), "karras");
  EXPECT_EQ(schedulers[2].at("label"), "Karras");
  EXPECT_EQ(schedulers[2].at("default_rho"), 7.0);
  EXPECT_EQ(schedulers[5].at("aliases"), json::array({"SGMUniform"}));
  EXPECT_EQ(schedulers[10].at("need_inner_model"), true);
  for (const char *list :
       {"upscalers", "latent-upscale-modes", "sd-vae", "loras"})
    EXPECT_TRUE(get(std::string("/sdapi/v1/") + list).is_array()) << list;
  const json embeddings = get("/sdapi/v1/embeddings");
  EXPECT_TRUE(embeddings.at("loaded").is_object());
  EXPECT_TRUE(embeddings.at("skipped").is_object());
  const json scripts = get("/sdapi/v1/scripts");
  EXPECT_TRUE(scripts.at("txt2img").is_array());
  EXPECT_TRUE(scripts.at("img2img").is_array());
  const json memory = get("/sdapi/v1/memory");
  EXPECT_GT(memory.at("ram").at("total").get<int64_t>(), 0);
  EXPECT_GT(memory.at("device").at("peak").get<int64_t>(), 0);
  EXPECT_EQ(get("/sdapi/v1/cmd-flags").at("api"), true);
  const json health = get("/health");
  EXPECT_EQ(health.at("ready"), true);
  EXPECT_EQ(health.at("device"), "cpu");
  EXPECT_EQ(health.at("queue_length"), 0);
  const json idle = get("/sdapi/v1/progress");
  EXPECT_EQ(idle.at("progress"), 0);
  EXPECT_EQ(idle.at("eta_relative"), 0);
  EXPECT_EQ(idle.at("state").at("job_count"), 0);
  EXPECT_TRUE(idle.at("current_image").is_null());
}

// Titles and hashes as A1111 makes them, checked against sha256sum.
TEST_F(Api, ModelsCarryA1111Hashes) {
  const json models = get("/sdapi/v1/sd-models");
  ASSERT_EQ(models.size(), 2u);
  const json &single = models[1];
  EXPECT_EQ(single.at("model_name"), "tiny-ldm");
  const auto [status, output] =
      runCommand({"sha256sum", (kTiny / "tiny-sd-ldm-fp16.safetensors")});
  ASSERT_EQ(status, 0);
  const std::string sha = output.substr(0, 64);
  EXPECT_EQ(single.at("sha256"), sha);
  EXPECT_EQ(single.at("hash"), sha.substr(0, 10));
  EXPECT_EQ(single.at("title"),
            "tiny-ldm.safetensors [" + sha.substr(0, 10) + "]");
  EXPECT_EQ(models[0].at("model_name"), "diffusers-fp16");
  // Cached beside the models, so the next start does not hash again.
  std::ifstream cache(server->folder / "models/avila-hashes.json");
  std::stringstream text;
  text << cache.rdbuf();
  EXPECT_NE(text.str().find(sha), std::string::npos);
  const json options = get("/sdapi/v1/options");
  EXPECT_EQ(options.at("sd_model_checkpoint"), models[0].at("title"));
  EXPECT_EQ(options.at("sd_checkpoint_hash"), models[0].at("sha256"));
  EXPECT_EQ(options.at("samples_format"), "png");
}

// The same request through avila-run gives the same file, byte for byte.
TEST_F(Api, Txt2imgIsByteIdenticalToAvilaRun) {
  const json &body = kGoldenRequest;
  const auto result = post("/sdapi/v1/txt2img", body);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  const json response = jsonOf(result);
  ASSERT_EQ(response.at("images").size(), 1u);
  EXPECT_EQ(decoded(response["images"][0]),
            avilaRunPng(server->folder, body,
                        std::getenv("AVILA_TINY_ARTIFACT"), "cpu"));

  const json info = json::parse(response.at("info").get<std::string>());
  EXPECT_EQ(info.at("seed"), 1234);
  EXPECT_EQ(info.at("all_seeds"), json::array({1234}));
  EXPECT_EQ(info.at("sampler_name"), "DDIM");
  EXPECT_EQ(info.at("sd_model_name"), "diffusers-fp16");
  EXPECT_EQ(info.at("sd_model_hash").get<std::string>().size(), 10u);
  for (const char *key :
       {"prompt", "all_prompts", "negative_prompt", "all_negative_prompts",
        "subseed", "all_subseeds", "width", "height", "cfg_scale", "steps",
        "batch_size", "denoising_strength", "clip_skip", "infotexts",
        "job_timestamp", "version"})
    EXPECT_TRUE(info.contains(key)) << key;
  EXPECT_EQ(response.at("parameters").at("steps"), 6);
  EXPECT_EQ(response.at("parameters").at("sampler_index"), "Euler");
}

// A schedule, a variation seed and a resized seed: the same bytes as
// avila-run's flags give, and A1111's info and infotext.
TEST_F(Api, SchedulesAndVariationSeedsMatchAvilaRun) {
  json body = kGoldenRequest;
  body.update({{"sampler_name", "Euler"},
               {"scheduler", "Exponential"},
               {"subseed", 77},
               {"subseed_strength", 0.4},
               {"seed_resize_from_w", 96},
               {"seed_resize_from_h", 160}});
  const auto result = post("/sdapi/v1/txt2img", body);
  ASSERT_EQ(result->status, 200) << result->body;
  const json response = jsonOf(result);
  const std::vector<uint8_t> png = decoded(response["images"][0]);
  EXPECT_EQ(png, avilaRunPng(server->folder, body,
                             std::getenv("AVILA_TINY_ARTIFACT"), "cpu"));
  json plain = kGoldenRequest;
  plain["sampler_name"] = "Euler";
  EXPECT_NE(png,
            decoded(jsonOf(post("/sdapi/v1/txt2img", plain))["images"][0]));
  const json info = json::parse(response.at("info").get<std::string>());
  EXPECT_EQ(info.at("scheduler"), "Exponential");
  EXPECT_EQ(info.at("sampler_name"), "Euler");
  EXPECT_EQ(info.at("subseed"), 77);
  EXPECT_EQ(info.at("subseed_strength"), 0.4);
  EXPECT_EQ(info.at("seed_resize_from_w"), 96);
  const std::string infotext = info.at("infotexts").at(0);
  for (const char *part :
       {"Sampler: Euler, Schedule type: Exponential, CFG", "Seed: 1234",
        "Variation seed: 77, Variation seed strength: 0.4, Seed resize from: "
        "96x160"})
    EXPECT_NE(infotext.find(part), std::string::npos) << part << infotext;
  // With a variation strength every image keeps the seed; subseeds count.
  const json batch = json::parse(
      jsonOf(post("/sdapi/v1/txt2img", tinyRequest({{"subseed", 77},
                                                    {"subseed_strength", 0.5},
                                                    {"batch_size", 2}})))
          .at("info")
          .get<std::string>());
  EXPECT_EQ(batch.at("all_seeds"), json::array({5, 5}));
  EXPECT_EQ(batch.at("all_subseeds"), json::array({77, 78}));
}

// VAEs of --vae-dir by file name: listed, chosen in the options or per
// request, reported in info; unknown names refused.
TEST_F(Api, VaeFromTheVaeFolder) {
  const json list = get("/sdapi/v1/sd-vae");
  ASSERT_EQ(list.size(), 1u) << list;
  EXPECT_EQ(list[0].at("model_name"), "tiny-ldm.safetensors");
  EXPECT_EQ(list[0].at("filename"),
            (vaeFolder() / "tiny-ldm.safetensors").string());
  auto infoOf = [&](const json &body) {
    const auto result = post("/sdapi/v1/txt2img", body);
    EXPECT_EQ(result->status, 200) << result->body;
    return json::parse(jsonOf(result).at("info").get<std::string>());
  };
  EXPECT_EQ(infoOf(tinyRequest({{"override_settings",
                                 {{"sd_vae", "tiny-ldm.safetensors"}}}}))
                .at("sd_vae_name"),
            "tiny-ldm.safetensors");
  ASSERT_EQ(
      post("/sdapi/v1/options", {{"sd_vae", "tiny-ldm.safetensors"}})->status,
      200);
  EXPECT_EQ(infoOf(tinyRequest()).at("sd_vae_name"), "tiny-ldm.safetensors");
  EXPECT_TRUE(infoOf(tinyRequest({{"override_settings", {{"sd_vae", "None"}}}}))
                  .at("sd_vae_name")
                  .is_null());
  ASSERT_EQ(post("/sdapi/v1/options", {{"sd_vae", "Automatic"}})->status, 200);
  EXPECT_TRUE(infoOf(tinyRequest()).at("sd_vae_name").is_null());
  const auto unknown = post(
      "/sdapi/v1/txt2img",
      tinyRequest({{"override_settings", {{"sd_vae", "other.safetensors"}}}}));
  EXPECT_EQ(unknown->status, 422);
  EXPECT_NE(unknown->body.find("other.safetensors"), std::string::npos);
  EXPECT_EQ(post("/sdapi/v1/options", {{"sd_vae", "../x"}})->status, 422);
}

// Clip skip from the options, overridden per request; tiny-sd's text
// encoder has two layers, so 3 is refused.
TEST_F(Api, ClipSkipFromOptionsAndOverrides) {
  ASSERT_EQ(
      post("/sdapi/v1/options", {{"CLIP_stop_at_last_layers", 2}})->status,
      200);
  EXPECT_EQ(get("/sdapi/v1/options").at("CLIP_stop_at_last_layers"), 2);
  auto infoOf = [&](const json &body) {
    const auto result = post("/sdapi/v1/txt2img", body);
    EXPECT_EQ(result->status, 200) << result->body;
    return json::parse(jsonOf(result).at("info").get<std::string>());
  };
  const json skipped = infoOf(tinyRequest());
  EXPECT_EQ(skipped.at("clip_skip"), 2);
  EXPECT_NE(
      skipped.at("infotexts").at(0).get<std::string>().find("Clip skip: 2"),
      std::string::npos);
  const json plain = infoOf(
      tinyRequest({{"override_settings", {{"CLIP_stop_at_last_layers", 1}}}}));
  EXPECT_EQ(plain.at("clip_skip"), 1);
  ASSERT_EQ(
      post("/sdapi/v1/options", {{"CLIP_stop_at_last_layers", 1}})->status,
      200);
  const auto tooMany = post(
      "/sdapi/v1/txt2img",
      tinyRequest({{"override_settings", {{"CLIP_stop_at_last_layers", 3}}}}));
  EXPECT_EQ(tooMany->status, 422);
  EXPECT_NE(tooMany->body.find("clip skip"), std::string::npos)
      << tooMany->body;
  EXPECT_EQ(
      post("/sdapi/v1/options", {{"CLIP_stop_at_last_layers", "two"}})->status,
      422);
}

// On lavapipe through a Vulkan artifact (AVILA_TINY_VULKAN_ARTIFACT): the
// same bytes as avila-run there.
TEST(Vulkan, Txt2imgIsByteIdenticalToAvilaRun) {
  const char *artifact = std::getenv("AVILA_TINY_VULKAN_ARTIFACT");
  ASSERT_NE(artifact, nullptr);
  ServerProcess server({"--artifact", artifact, "--device", "vulkan"});
  httplib::Client client = server.client();
  const json health = jsonOf(client.Get("/health"));
  EXPECT_NE(health.at("device").get<std::string>().find("vulkan"),
            std::string::npos)
      << health;
  json body = kGoldenRequest;
  body["width"] = body["height"] = 64;
  body["steps"] = 2;
  // lavapipe compiles every pipeline on a first run: minutes.
  client.set_read_timeout(600, 0);
  const auto result = postJson(client, "/sdapi/v1/txt2img", body);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(decoded(jsonOf(result)["images"][0]),
            avilaRunPng(server.folder, body, artifact, "vulkan"));
  EXPECT_EQ(server.terminate(), 0);
}

// With torch's CPU noise (options randn_source), the golden image.
TEST_F(Api, Txt2imgMatchesTheGoldenImage) {
  ASSERT_EQ(post("/sdapi/v1/options", {{"randn_source", "CPU"}})->status, 200);
  const json response = jsonOf(post("/sdapi/v1/txt2img", kGoldenRequest));
  const Image image =
      decodeImage(decoded(response.at("images").at(0)), "the response");
  ASSERT_EQ(image.width, 128);
  const SafetensorsFile cases(kTiny / "cases.safetensors");
  const std::vector<float> golden =
      readFloats(*cases.find("txt2img.ddim.image"));
  double worst = 0;
  const size_t plane = 128 * 128;
  for (size_t i = 0; i < plane; ++i)
    for (size_t c = 0; c < 3; ++c)
      worst = std::max(worst, std::fabs(image.rgb[i * 3 + c] / 255.0 -
                                        golden[c * plane + i]));
  EXPECT_LT(worst, 2.0 / 255);
}

TEST_F(Api, Img2imgAndPngInfoAndSaving) {
  const std::vector<uint8_t> photo =
      fileBytes(kShared / "data/images/astronaut.png");
  const auto result = post(
      "/sdapi/v1/img2img",
      tinyRequest({{"init_images",
                    {"data:image/png;base64," + server::encodeBase64(photo)}},
                   {"denoising_strength", 0.5},
                   {"resize_mode", 1},
                   {"batch_size", 2},
                   {"save_images", true},
                   {"sampler_name", "Euler a"},
                   {"scheduler", "karras"}}));
  ASSERT_EQ(result->status, 200) << result->body;
  const json response = jsonOf(result);
  ASSERT_EQ(response.at("images").size(), 2u);
  EXPECT_TRUE(response.at("parameters").at("init_images").is_null());
  const json info = json::parse(response.at("info").get<std::string>());
  EXPECT_EQ(info.at("denoising_strength"), 0.5);
  EXPECT_EQ(info.at("all_seeds"), json::array({5, 6}));
  const std::string infotext = info.at("infotexts").at(1);
  EXPECT_NE(infotext.find("Sampler: Euler a Karras"), std::string::npos);
  EXPECT_NE(infotext.find("Seed: 6"), std::string::npos);
  EXPECT_NE(infotext.find("Denoising strength: 0.5"), std::string::npos);
  // Saved as A1111 names them: <outputs>/img2img-images/<date>/00001-6.png.
  size_t saved = 0;
  for (const auto &entry : fs::recursive_directory_iterator(
           server->folder / "outputs/img2img-images"))
    saved += entry.path().filename() == "00000-5.png" ||
             entry.path().filename() == "00001-6.png";
  EXPECT_EQ(saved, 2u);

  const json png =
      jsonOf(post("/sdapi/v1/png-info", {{"image", response["images"][1]}}));
  EXPECT_EQ(png.at("info"), infotext);
  EXPECT_EQ(png.at("parameters").at("Seed"), "6");
  EXPECT_EQ(png.at("parameters").at("Prompt"), "a red circle");
}

TEST_F(Api, ProgressShowsPreviewsAndInterruptStopsWithinAStep) {
  std::optional<httplib::Result> job;
  std::thread thread([&] {
    httplib::Client client = server->client();
    job.emplace(
        postJson(client, "/sdapi/v1/txt2img",
                 tinyRequest({{"steps", 1000}, {"sampler_name", "Euler"}})));
  });
  const json first = waitForProgress([](const json &p) {
    return p["state"]["sampling_step"].get<int>() >= 2;
  });
  const int firstStep = first["state"]["sampling_step"];
  EXPECT_EQ(first["state"]["sampling_steps"], 1000);
  EXPECT_EQ(first["state"]["job_count"], 1);
  EXPECT_GT(first["progress"].get<double>(), 0);
  EXPECT_LT(first["progress"].get<double>(), 0.5);
  EXPECT_GT(first["eta_relative"].get<double>(), 0);
  const Image preview =
      decodeImage(decoded(first.at("current_image")), "the preview");
  EXPECT_EQ(preview.width, 8); // the latents' size: 64 / 8
  const json later = waitForProgress([&](const json &p) {
    return p["state"]["sampling_step"].get<int>() > firstStep + 1;
  });
  EXPECT_GT(later["progress"].get<double>(), first["progress"].get<double>());
  EXPECT_TRUE(get("/sdapi/v1/progress?skip_current_image=true")
                  .at("current_image")
                  .is_null());

  const json before = get("/sdapi/v1/progress");
  const int stepBefore = before["state"]["sampling_step"];
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(post("/sdapi/v1/interrupt", json::object())->status, 200);
  thread.join();
  const double waited =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  ASSERT_TRUE(job && *job);
  ASSERT_EQ((*job)->status, 200) << (*job)->body;
  const json response = jsonOf(*job);
  // The partial result comes back, as A1111 returns it.
  ASSERT_EQ(response.at("images").size(), 1u);
  EXPECT_LT(stepBefore, 900);
  EXPECT_LT(waited, 5.0);
  EXPECT_EQ(get("/sdapi/v1/progress").at("progress"), 0);
}

TEST_F(Api, SkipEndsTheBatchAndTheJobGoesOn) {
  std::optional<httplib::Result> job;
  std::thread thread([&] {
    httplib::Client client = server->client();
    job.emplace(postJson(client, "/sdapi/v1/txt2img",
                         tinyRequest({{"steps", 1000}, {"n_iter", 2}})));
  });
  waitForProgress([](const json &p) {
    return p["state"]["sampling_step"].get<int>() >= 2;
  });
  ASSERT_EQ(post("/sdapi/v1/skip", json::object())->status, 200);
  const json second = waitForProgress([](const json &p) {
    return p["state"]["job_no"] == 1 && p["state"]["sampling_step"] >= 1;
  });
  EXPECT_GT(second["progress"].get<double>(), 0.5);
  post("/sdapi/v1/interrupt", json::object());
  thread.join();
  ASSERT_TRUE(job && *job);
  ASSERT_EQ((*job)->status, 200) << (*job)->body;
  EXPECT_EQ(jsonOf(*job).at("images").size(), 2u);
}

TEST_F(Api, OptionsSwitchTheModelByTitleNameOrHash) {
  const json models = get("/sdapi/v1/sd-models");
  const std::string single = models[1]["title"];
  ASSERT_EQ(
      post("/sdapi/v1/options", {{"sd_model_checkpoint", single}})->status,
      200);
  EXPECT_EQ(get("/health").at("model"), single);
  EXPECT_EQ(get("/sdapi/v1/options").at("sd_model_checkpoint"), single);
  json info = json::parse(jsonOf(post("/sdapi/v1/txt2img", tinyRequest()))
                              .at("info")
                              .get<std::string>());
  EXPECT_EQ(info.at("sd_model_name"), "tiny-ldm");
  EXPECT_NE(info.at("infotexts")[0].get<std::string>().find("Model: tiny-ldm"),
            std::string::npos);

  ASSERT_EQ(
      post("/sdapi/v1/options", {{"sd_model_checkpoint", models[0]["hash"]}})
          ->status,
      200);
  EXPECT_EQ(get("/health").at("model"), models[0]["title"]);
  // Per request, restored afterwards.
  info = json::parse(
      jsonOf(post("/sdapi/v1/txt2img",
                  tinyRequest({{"override_settings",
                                {{"sd_model_checkpoint", "tiny-ldm"}}}})))
          .at("info")
          .get<std::string>());
  EXPECT_EQ(info.at("sd_model_name"), "tiny-ldm");
  EXPECT_EQ(get("/health").at("model"), models[0]["title"]);

  const auto unknown =
      post("/sdapi/v1/options", {{"sd_model_checkpoint", "no-such-model"}});
  EXPECT_EQ(unknown->status, 422);
  EXPECT_NE(unknown->body.find("no-such-model"), std::string::npos);
  EXPECT_EQ(get("/health").at("model"), models[0]["title"]);
  // Clients post the whole dictionary back.
  json everything = get("/sdapi/v1/options");
  everything["some_ui_setting"] = 3;
  EXPECT_EQ(post("/sdapi/v1/options", everything)->status, 200);
  EXPECT_EQ(get("/sdapi/v1/options").at("some_ui_setting"), 3);
  EXPECT_EQ(post("/sdapi/v1/unload-checkpoint", json::object())->status, 200);
  EXPECT_EQ(post("/sdapi/v1/reload-checkpoint", json::object())->status, 200);
  EXPECT_EQ(post("/sdapi/v1/refresh-checkpoints", json::object())->status, 200);
  EXPECT_EQ(post("/sdapi/v1/txt2img", tinyRequest())->status, 200);
}

TEST_F(Api, EmptyScriptEntriesAreIgnored) {
  const auto result =
      post("/sdapi/v1/txt2img",
           tinyRequest({{"alwayson_scripts",
                         {{"ControlNet", {{"args", json::array()}}}}},
                        {"script_name", nullptr},
                        {"unknown_field", 1},
                        {"sampler_index", "DPM++ 2M Karras"}}));
  ASSERT_EQ(result->status, 200) << result->body;
  const json info = json::parse(jsonOf(result).at("info").get<std::string>());
  EXPECT_EQ(info.at("sampler_name"), "DPM++ 2M");
  EXPECT_NE(info.at("infotexts")[0].get<std::string>().find(
                "Sampler: DPM++ 2M Karras"),
            std::string::npos);
}

TEST_F(Api, OpenAiImagesGenerations) {
  const auto result =
      post("/v1/images/generations", {{"prompt", "a red circle"},
                                      {"n", 2},
                                      {"size", "64x64"},
                                      {"steps", 2},
                                      {"response_format", "b64_json"}});
  ASSERT_EQ(result->status, 200) << result->body;
  const json answer = jsonOf(result);
  EXPECT_GT(answer.at("created").get<int64_t>(), 1700000000);
  ASSERT_EQ(answer.at("data").size(), 2u);
  const Image image =
      decodeImage(decoded(answer["data"][1]["b64_json"]), "the OpenAI image");
  EXPECT_EQ(image.width, 64);
  EXPECT_EQ(image.height, 64);
  for (const auto &[body, mentions] : std::vector<std::pair<json, std::string>>{
           {{{"n", 1}}, "prompt"},
           {{{"prompt", "x"}, {"size", "big"}}, "size"},
           {{{"prompt", "x"}, {"size", "100x100"}}, "multiple of 8"},
           {{{"prompt", "x"}, {"response_format", "url"}}, "b64_json"}}) {
    const auto bad = post("/v1/images/generations", body);
    EXPECT_EQ(bad->status, 422) << body.dump();
    const json error = jsonOf(bad);
    EXPECT_EQ(error.at("error").at("type"), "invalid_request_error");
    EXPECT_NE(error.at("error").at("message").get<std::string>().find(mentions),
              std::string::npos)
        << bad->body;
  }
}

TEST_F(Api, MetricsCountRequestsImagesAndSteps) {
  ASSERT_EQ(post("/sdapi/v1/txt2img", tinyRequest({{"steps", 3}}))->status,
            200);
  get("/health");
  httplib::Client client = server->client();
  const auto result = client.Get("/metrics");
  ASSERT_EQ(result->status, 200);
  const std::string &text = result->body;
  EXPECT_NE(text.find("avila_http_requests_total{route=\"/health\",status="
                      "\"200\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("avila_http_requests_total{route=\"/sdapi/v1/"
                      "txt2img\",status=\"200\"}"),
            std::string::npos);
  EXPECT_EQ(text.find("avila_images_generated_total 0\n"), std::string::npos);
  EXPECT_NE(
      text.find("avila_sampling_step_duration_seconds_bucket{le=\"+Inf\"}"),
      std::string::npos);
  EXPECT_EQ(text.find("avila_sampling_step_duration_seconds_count 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("avila_queue_depth "), std::string::npos);
  EXPECT_NE(text.find("avila_device_memory_peak_bytes "), std::string::npos);
}

// The page is whole: nothing fetched from elsewhere.
TEST_F(Api, WebPageIsServedWhole) {
  httplib::Client client = server->client();
  const auto result = client.Get("/");
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"),
            "text/html; charset=utf-8");
  for (const char *part : {"<textarea id=\"prompt\"", "/sdapi/v1/progress",
                           "/sdapi/v1/samplers", "type=\"file\""})
    EXPECT_NE(result->body.find(part), std::string::npos) << part;
  EXPECT_EQ(result->body.find("http://"), std::string::npos);
  EXPECT_EQ(result->body.find("https://"), std::string::npos);
}

struct BadRequest {
  std::string path;
  std::string body;
  int status;
  std::string mentions; // in the error's detail
};

TEST_F(Api, HostileInputGets4xxAndTheServerStaysUp) {
  const std::string photo =
      server::encodeBase64(fileBytes(kShared / "data/images/astronaut.png"));
  const std::string t = "/sdapi/v1/txt2img", i = "/sdapi/v1/img2img";
  const std::vector<BadRequest> cases = {
      {t, "{bad json", 422, "not valid JSON"},
      {t, "[1, 2]", 422, "JSON object"},
      {t, R"({"steps": "many"})", 422, "steps"},
      {t, R"({"prompt": 5})", 422, "prompt"},
      {t, R"({"width": -64})", 422, "width"},
      {t, R"({"width": 100000000})", 422, "width"},
      {t, R"({"height": 100})", 422, "multiple of 8"},
      {t, R"({"width": 1e300})", 422, "width"},
      {t, R"({"batch_size": 0})", 422, "batch_size"},
      {t, R"({"n_iter": 1000000})", 422, "n_iter"},
      {t, R"({"cfg_scale": "high"})", 422, "cfg_scale"},
      {t, R"({"seed": -5})", 422, "seed"},
      {t, R"({"sampler_name": "Nope"})", 400, "Sampler not found"},
      {t, R"({"scheduler": "cosine"})", 422, "scheduler"},
      {t, R"({"subseed_strength": 2})", 422, "subseed_strength"},
      {t, R"({"seed_resize_from_w": 4, "seed_resize_from_h": 64})", 422,
       "seed resize width"},
      {t, R"({"sampler_name": "DDIM", "scheduler": "beta"})", 422, "scheduler"},
      {t, R"({"enable_hr": true})", 422, "enable_hr"},
      {t, R"({"script_name": "x/y/z plot"})", 422, "x/y/z plot"},
      {t, R"({"alwayson_scripts": {"ADetailer": {"args": [true]}}})", 422,
       "ADetailer"},
      {t,
       R"({"width": 64, "height": 64, "steps": 2, "override_settings": {"sd_model_checkpoint": "nope"}})",
       422, "nope"},
      {i, "{}", 404, "Init image not found"},
      {i, R"({"init_images": ["%%%not base64"]})", 422, "base64"},
      {i, R"({"init_images": ["aGVsbG8gd29ybGQ="]})", 422, "init_images[0]"},
      {i, R"({"init_images": [")" + photo + R"("], "mask": ")" + photo + "\"}",
       422, "mask"},
      {i, R"({"init_images": [")" + photo + R"("], "resize_mode": 7})", 422,
       "resize_mode"},
      {"/sdapi/v1/png-info", R"({"image": "aGVsbG8="})", 422, "PNG"},
      {"/sdapi/v1/options", R"({"sd_model_checkpoint": 5})", 422,
       "sd_model_checkpoint"},
      {t, "{\"prompt\": \"" + std::string(5 << 20, 'a') + "\"}", 413,
       "too large"},
  };
  for (const BadRequest &bad : cases) {
    httplib::Client client = server->client();
    const auto result =
        client.Post(bad.path.c_str(), bad.body, "application/json");
    ASSERT_TRUE(result) << bad.body.substr(0, 200);
    EXPECT_EQ(result->status, bad.status) << bad.body.substr(0, 200);
    const json error = jsonOf(result);
    for (const char *key : {"error", "detail", "body", "errors"})
      EXPECT_TRUE(error.contains(key)) << result->body;
    EXPECT_NE(result->body.find(bad.mentions), std::string::npos)
        << result->body;
  }
  EXPECT_EQ(get("/health").at("ready"), true);
  EXPECT_EQ(post(t, tinyRequest())->status, 200);
}

} // namespace
} // namespace avila::test
