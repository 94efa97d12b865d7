//===- LoraApiTest.cpp - LoRAs and embeddings through avila-server --------===//
//
// A server with a --lora-dir and an --embeddings-dir: A1111's lists, a
// prompt's <lora:...> changing the image and the next request without it
// getting the plain weights back, the "Lora hashes" A1111 writes, and LoRAs
// that are unknown or do not fit the model refused with 422.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/Image.h"
#include "server/Base64.h"
#include "test/LoraFiles.h"
#include "test/server/ServerProcess.h"

#include <gtest/gtest.h>

namespace avila::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kDisney =
    fs::path(AVILA_SHARED_DIR) / "data/lora_sd15/lora_disney.safetensors";

class LoraApi : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    folder = fs::temp_directory_path() /
             ("avila-lora-api-" + std::to_string(getpid()));
    fs::remove_all(folder);
    fs::create_directories(folder / "loras/sub");
    fs::create_directories(folder / "embeddings");
    const std::string q = "lora_unet_down_blocks_0_attentions_0_transformer_"
                          "blocks_0_attn2_to_v";
    const std::string conv = "lora_unet_down_blocks_0_resnets_0_conv1";
    writeFloatTensors(
        folder / "loras/sub/tinystyle.safetensors",
        {{drawnTensor(q + ".lora_down.weight", {2, 32}, 1)},
         {drawnTensor(q + ".lora_up.weight", {32, 2}, 2)},
         {drawnTensor(conv + ".lora_down.weight", {2, 32, 3, 3}, 3)},
         {drawnTensor(conv + ".lora_up.weight", {32, 2, 1, 1}, 4)}},
        {{"ss_output_name", "TinyStyle"}, {"ss_tag_frequency", "{\"a\": 1}"}});
    fs::copy_file(kDisney, folder / "loras/lora_disney.safetensors");
    writeFloatTensors(folder / "embeddings/redcube.safetensors",
                      {drawnTensor("emb_params", {2, 32}, 5)});
    fs::copy_file(kDisney, folder / "embeddings/lora_disney.safetensors");
    server = new ServerProcess({"--lora-dir", (folder / "loras").string(),
                                "--embeddings-dir",
                                (folder / "embeddings").string()});
  }
  static void TearDownTestSuite() {
    delete server;
    fs::remove_all(folder);
  }

  static httplib::Result txt2img(const std::string &prompt) {
    httplib::Client client = server->client();
    return postJson(client, "/sdapi/v1/txt2img",
                    {{"prompt", prompt},
                     {"width", 64},
                     {"height", 64},
                     {"steps", 2},
                     {"seed", 5}});
  }

  static fs::path folder;
  static ServerProcess *server;
};

fs::path LoraApi::folder;
ServerProcess *LoraApi::server = nullptr;

TEST_F(LoraApi, ListsHaveA1111Shapes) {
  httplib::Client client = server->client();
  const json loras = jsonOf(client.Get("/sdapi/v1/loras"));
  ASSERT_EQ(loras.size(), 2u);
  EXPECT_EQ(loras[0].at("name"), "lora_disney");
  EXPECT_EQ(loras[0].at("alias"), "lora_disney");
  EXPECT_EQ(loras[0].at("metadata").at("<s1>"), "<embed>");
  EXPECT_EQ(loras[1].at("name"), "tinystyle");
  EXPECT_EQ(loras[1].at("alias"), "TinyStyle");
  EXPECT_EQ(loras[1].at("path"),
            (folder / "loras/sub/tinystyle.safetensors").string());
  EXPECT_EQ(loras[1].at("metadata").at("ss_tag_frequency"), json({{"a", 1}}));

  const json embeddings = jsonOf(client.Get("/sdapi/v1/embeddings"));
  const json expected = {{"step", nullptr},
                         {"sd_checkpoint", nullptr},
                         {"sd_checkpoint_name", nullptr},
                         {"shape", 32},
                         {"vectors", 2}};
  EXPECT_EQ(embeddings.at("loaded"), json({{"redcube", expected}}));
  // cloneofsimo's tokens are SD 1.5's width, not tiny-sd's.
  EXPECT_EQ(embeddings.at("skipped").at("<s1>").at("shape"), 768);
  EXPECT_EQ(embeddings.at("skipped").at("<s2>").at("vectors"), 1);
}

TEST_F(LoraApi, PromptLorasChangeTheImageAndGoAway) {
  // The pixels: the PNGs' infotexts differ with the prompts.
  const auto imageOf = [](const httplib::Result &result) {
    EXPECT_TRUE(result && result->status == 200)
        << (result ? result->body : "no response");
    const auto png = server::decodeBase64(
        jsonOf(result).at("images").at(0).get<std::string>());
    EXPECT_TRUE(png.has_value());
    return decodeImage(png.value_or(std::vector<uint8_t>{}), "image").rgb;
  };
  const std::vector<uint8_t> plain = imageOf(txt2img("a red circle"));
  const auto styled = txt2img("a red circle <lora:tinystyle:0.8>");
  const std::vector<uint8_t> withLora = imageOf(styled);
  EXPECT_NE(withLora, plain);
  EXPECT_EQ(imageOf(txt2img("a red circle")), plain)
      << "the plain weights did not come back";
  EXPECT_EQ(imageOf(txt2img("<lora:TinyStyle:0.8>a red circle")), withLora)
      << "the alias names the same LoRA";
  EXPECT_NE(imageOf(txt2img("a red circle <lora:tinystyle:-0.8>")), withLora);

  // A1111's hash: the sha256 of the bytes after the header, first 12 digits.
  const fs::path file = folder / "loras/sub/tinystyle.safetensors";
  const auto [status, output] = runCommand(
      {"sh", "-c",
       "n=$(od -An -t u8 -N 8 \"$0\" | tr -d ' '); tail -c +$((n + 9)) \"$0\" "
       "| sha256sum",
       file.string()});
  ASSERT_EQ(status, 0) << output;
  const std::string hash = output.substr(0, 12);
  const json info = json::parse(jsonOf(styled).at("info").get<std::string>());
  EXPECT_EQ(info.at("extra_generation_params").at("Lora hashes"),
            "tinystyle: " + hash);
  const std::string infotext = info.at("infotexts").at(0);
  EXPECT_EQ(infotext.rfind("a red circle <lora:tinystyle:0.8>\n", 0), 0u)
      << infotext;
  EXPECT_NE(infotext.find("Lora hashes: \"tinystyle: " + hash + "\""),
            std::string::npos)
      << infotext;
}

TEST_F(LoraApi, UnknownAndMisfitLorasAre422) {
  const auto unknown = txt2img("a <lora:nothing:1>");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 422);
  EXPECT_NE(unknown->body.find("no LoRA named 'nothing'"), std::string::npos)
      << unknown->body;
  // SD 1.5 shapes on tiny-sd.
  const auto misfit = txt2img("a <lora:lora_disney:1>");
  ASSERT_TRUE(misfit);
  EXPECT_EQ(misfit->status, 422);
  EXPECT_NE(misfit->body.find("do not fit"), std::string::npos) << misfit->body;
  const auto malformed = txt2img("a <lora:tinystyle:much>");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 422);
  const auto fine = txt2img("a redcube");
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

} // namespace
} // namespace avila::test
