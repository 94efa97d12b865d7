//===- ServerProcess.h - A real avila-server for tests -----------*- C++-*-===//
//
// Starts the avila-server binary (AVILA_SERVER) on a free loopback port
// with the tiny-sd artifact (AVILA_TINY_ARTIFACT) and a models folder
// holding tiny-sd as a diffusers folder and as a single file; stops it
// with SIGTERM.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_SERVER_SERVERPROCESS_H
#define AVILA_TEST_SERVER_SERVERPROCESS_H

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace avila::test {

/// The tiny-sd checkpoints of ../shared, linked into a fresh folder, and a
/// dangling link that must be ignored.
std::filesystem::path makeModelsFolder(const std::filesystem::path &folder);

class ServerProcess {
public:
  /// `extra` flags go after the defaults (a later flag wins).
  explicit ServerProcess(const std::vector<std::string> &extra = {});
  ~ServerProcess();

  httplib::Client client() const;
  int port() const { return listening; }
  /// SIGTERM, then the exit status (-1 unless it exited within `seconds`).
  int terminate(double seconds = 30);
  /// How many file descriptors the server has open.
  size_t openDescriptors() const;
  pid_t processId() const { return pid; }
  /// What the server wrote on stderr so far.
  std::string log() const;

  std::filesystem::path folder; // models/, outputs/, stderr.log

private:
  pid_t pid = -1;
  int listening = 0;
};

/// POSTs `body` as JSON.
httplib::Result postJson(httplib::Client &client, const std::string &path,
                         const nlohmann::json &body);
/// The JSON of a response (fails the test for none).
nlohmann::json jsonOf(const httplib::Result &result);

/// Runs `words` (quoted for the shell); its exit status (-1 for a signal)
/// and its stdout and stderr together.
std::pair<int, std::string> runCommand(const std::vector<std::string> &words);

} // namespace avila::test

#endif // AVILA_TEST_SERVER_SERVERPROCESS_H
