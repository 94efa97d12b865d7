//===- ServerProcess.cpp - A real avila-server for tests ------------------===//

#include "test/server/ServerProcess.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace avila::test {
namespace {

const fs::path kTiny = fs::path(AVILA_SHARED_DIR) / "golden/tiny-sd";

std::string requireEnvironment(const char *name) {
  const char *value = std::getenv(name);
  if (!value)
    throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

std::string quote(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

} // namespace

fs::path makeModelsFolder(const fs::path &folder) {
  const fs::path models = folder / "models";
  fs::create_directories(models);
  fs::create_directory_symlink(kTiny / "diffusers-fp16",
                               models / "diffusers-fp16");
  fs::create_symlink(kTiny / "tiny-sd-ldm-fp16.safetensors",
                     models / "tiny-ldm.safetensors");
  // Not a checkpoint: ignored.
  fs::create_symlink(folder / "nowhere.safetensors",
                     models / "dangling.safetensors");
  return models;
}

ServerProcess::ServerProcess(const std::vector<std::string> &extra) {
  static int serial = 0;
  folder = fs::temp_directory_path() /
           ("avila-server-test-" + std::to_string(getpid()) + "-" +
            std::to_string(serial++));
  fs::remove_all(folder);
  fs::create_directories(folder);
  std::vector<std::string> arguments = {
      requireEnvironment("AVILA_SERVER"),
      "--artifact",
      requireEnvironment("AVILA_TINY_ARTIFACT"),
      "--models-dir",
      makeModelsFolder(folder).string(),
      "--tokenizer",
      (kTiny / "diffusers-fp16/tokenizer").string(),
      "--device",
      "cpu",
      "--threads",
      "2",
      "--port",
      "0",
      "--max-steps",
      "1000",
      "--outputs-dir",
      (folder / "outputs").string()};
  arguments.insert(arguments.end(), extra.begin(), extra.end());

  int out[2];
  if (pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    const std::string log = (folder / "stderr.log").string();
    const int err = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, STDERR_FILENO);
    close(out[0]);
    std::vector<char *> argv;
    for (std::string &argument : arguments)
      argv.push_back(argument.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  // The first line says where it listens: "... http://127.0.0.1:PORT ...".
  std::string line;
  char c;
  while (read(out[0], &c, 1) == 1 && c != '\n')
    line += c;
  close(out[0]);
  const size_t colon = line.find("127.0.0.1:");
  if (colon == std::string::npos)
    throw std::runtime_error("avila-server did not start: " + line + "\n" +
                             log());
  listening = std::stoi(line.substr(colon + 10));
}

ServerProcess::~ServerProcess() {
  if (pid > 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::error_code ignored;
  fs::remove_all(folder, ignored);
}

httplib::Client ServerProcess::client() const {
  httplib::Client client("127.0.0.1", listening);
  client.set_read_timeout(120, 0);
  client.set_write_timeout(30, 0);
  return client;
}

int ServerProcess::terminate(double seconds) {
  kill(pid, SIGTERM);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

size_t ServerProcess::openDescriptors() const {
  const fs::path descriptors = "/proc/" + std::to_string(pid) + "/fd";
  return static_cast<size_t>(
      std::distance(fs::directory_iterator(descriptors), {}));
}

std::string ServerProcess::log() const {
  std::ifstream file(folder / "stderr.log");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

httplib::Result postJson(httplib::Client &client, const std::string &path,
                         const nlohmann::json &body) {
  return client.Post(path.c_str(), body.dump(), "application/json");
}

nlohmann::json jsonOf(const httplib::Result &result) {
  EXPECT_TRUE(result) << "no response";
  if (!result)
    return nullptr;
  const nlohmann::json parsed =
      nlohmann::json::parse(result->body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << result->body;
  return parsed;
}

std::pair<int, std::string> runCommand(const std::vector<std::string> &words) {
  std::string command;
  for (const std::string &word : words)
    command += quote(word) + " ";
  command += "2>&1";
  FILE *pipe = popen(command.c_str(), "r");
  std::string output;
  std::array<char, 4096> buffer;
  while (size_t read = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), read);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

} // namespace avila::test
