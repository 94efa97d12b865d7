//===- NodeClientsTest.cpp - avila-server driven from node ----------------===//
//
// The node scripts of test/server/node (their packages installed by
// scripts/setup with `npm ci`) against the real server: the
// a1111-webui-api npm client, unchanged, and the web page in headless
// Chromium through playwright-core. The scripts check the answers
// themselves; a failed check is a non-zero exit with its message.
//
//===----------------------------------------------------------------------===//

#include "test/server/ServerProcess.h"

#include <gtest/gtest.h>

namespace avila::test {
namespace {

namespace fs = std::filesystem;

const fs::path kScripts = AVILA_NODE_TESTS_DIR;

// Runs `script` against a fresh server; `environment` holds NAME=value
// words for it.
void runScript(const std::string &script,
               std::vector<std::string> environment = {}) {
  ASSERT_TRUE(fs::exists(kScripts / "node_modules"))
      << "no " << (kScripts / "node_modules")
      << ": scripts/setup installs the node packages (npm ci)";
  const char *node = std::getenv("AVILA_NODE");
  ASSERT_TRUE(node && *node) << "node was not found when configuring; "
                                "scripts/setup installs nodejs";
  ServerProcess server;
  std::vector<std::string> words = {"env"};
  environment.push_back("AVILA_SERVER_URL=http://127.0.0.1:" +
                        std::to_string(server.port()));
  environment.push_back(std::string("AVILA_SHARED_DIR=") + AVILA_SHARED_DIR);
  words.insert(words.end(), environment.begin(), environment.end());
  words.push_back(node);
  words.push_back((kScripts / script).string());
  const auto [status, output] = runCommand(words);
  EXPECT_EQ(status, 0) << output << "\nserver log:\n" << server.log();
  std::printf("%s", output.c_str());
  EXPECT_EQ(server.terminate(), 0);
}

TEST(NpmClient, A1111WebuiApiDrivesTheServer) { runScript("a1111-client.mjs"); }

TEST(WebPage, GeneratesInHeadlessChromium) {
  const char *chromium = std::getenv("AVILA_CHROMIUM");
  ASSERT_TRUE(chromium && *chromium)
      << "chromium was not found when configuring; scripts/setup installs it";
  runScript("web-page.mjs", {std::string("AVILA_CHROMIUM=") + chromium});
}

} // namespace
} // namespace avila::test
