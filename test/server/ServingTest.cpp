//===- ServingTest.cpp - avila-server's queue, auth, CORS, SIGTERM --------===//

#include "test/server/ServerProcess.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace avila::test {
namespace {

using nlohmann::json;

const json kLongJob = {{"prompt", "a red circle"},
                       {"width", 64},
                       {"height", 64},
                       {"steps", 1000},
                       {"seed", 1}};
const json kShortJob = {{"prompt", "a blue square"},
                        {"width", 64},
                        {"height", 64},
                        {"steps", 2},
                        {"seed", 2}};

// Polls `path` until `ready` holds (or 60 s pass).
void waitFor(const ServerProcess &server, const std::string &path,
             const std::function<bool(const json &)> &ready) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    httplib::Client client = server.client();
    const auto result = client.Get(path.c_str());
    if (result && ready(jsonOf(result)))
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << path << " never got there";
}

// A request on its own thread.
class Pending {
public:
  Pending(const ServerProcess &server, json body)
      : thread([this, &server, body] {
          httplib::Client client = server.client();
          result.emplace(postJson(client, "/sdapi/v1/txt2img", body));
        }) {}
  httplib::Result &get() {
    thread.join();
    return *result;
  }

private:
  std::optional<httplib::Result> result;
  std::thread thread;
};

// A long job running and a short one queued behind it.
struct BusyServer {
  explicit BusyServer(const ServerProcess &server) : running(server, kLongJob) {
    waitFor(server, "/sdapi/v1/progress", [](const json &p) {
      return p["state"]["sampling_step"].get<int>() >= 1;
    });
    queued.emplace(server, kShortJob);
    waitFor(server, "/health",
            [](const json &h) { return h["queue_length"] == 2; });
  }
  Pending running;
  std::optional<Pending> queued;
};

// A txt2img request written on a raw socket, whose answer is never read;
// closing the socket is the client going away.
class DroppedClient {
public:
  DroppedClient(const ServerProcess &server, const json &body)
      : socket(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(server.port()));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(
        connect(socket, reinterpret_cast<sockaddr *>(&address), sizeof address),
        0);
    const std::string text = body.dump();
    const std::string request =
        "POST /sdapi/v1/txt2img HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/json\r\nContent-Length: " +
        std::to_string(text.size()) + "\r\n\r\n" + text;
    EXPECT_EQ(write(socket, request.data(), request.size()),
              static_cast<ssize_t>(request.size()));
  }
  ~DroppedClient() { drop(); }
  void drop() {
    if (socket >= 0)
      close(socket);
    socket = -1;
  }

private:
  int socket;
};

// /metrics' value of `name` (a counter or gauge without labels).
double metric(const ServerProcess &server, const std::string &name) {
  httplib::Client client = server.client();
  const auto result = client.Get("/metrics");
  EXPECT_TRUE(result);
  const size_t at =
      result ? result->body.find("\n" + name + " ") : std::string::npos;
  EXPECT_NE(at, std::string::npos) << name;
  return at == std::string::npos
             ? -1
             : std::stod(result->body.substr(at + name.size() + 2));
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(Serving, AClientThatDisconnectsCancelsItsRunningJob) {
  ServerProcess server;
  DroppedClient client(server, kLongJob);
  waitFor(server, "/sdapi/v1/progress", [](const json &p) {
    return p["state"]["sampling_step"].get<int>() >= 1;
  });
  const auto dropped = std::chrono::steady_clock::now();
  client.drop();
  waitFor(server, "/health",
          [](const json &h) { return h["queue_length"] == 0; });
  // Checked every 100 ms, stopped before the next step (milliseconds here).
  EXPECT_LT(secondsSince(dropped), 2.0);
  httplib::Client http = server.client();
  const json progress = jsonOf(http.Get("/sdapi/v1/progress"));
  EXPECT_EQ(progress["progress"], 0);
  EXPECT_EQ(progress["state"]["job_count"], 0);
  EXPECT_EQ(metric(server, "avila_jobs_cancelled_total"), 1);
  // Cancelled undecoded: no image counted.
  EXPECT_EQ(metric(server, "avila_images_generated_total"), 0);

  const auto next = std::chrono::steady_clock::now();
  const auto job = postJson(http, "/sdapi/v1/txt2img", kShortJob);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 200);
  EXPECT_LT(secondsSince(next), 5.0);
  EXPECT_EQ(server.terminate(), 0);
  EXPECT_NE(server.log().find("POST /sdapi/v1/txt2img 499"), std::string::npos)
      << server.log();
}

TEST(Serving, AClientThatDisconnectsLeavesTheQueue) {
  ServerProcess server;
  Pending running(server, kLongJob);
  waitFor(server, "/sdapi/v1/progress", [](const json &p) {
    return p["state"]["sampling_step"].get<int>() >= 1;
  });
  DroppedClient queued(server, kShortJob);
  waitFor(server, "/health",
          [](const json &h) { return h["queue_length"] == 2; });
  queued.drop();
  waitFor(server, "/health",
          [](const json &h) { return h["queue_length"] == 1; });
  EXPECT_EQ(metric(server, "avila_jobs_cancelled_total"), 1);
  httplib::Client client = server.client();
  const json progress = jsonOf(client.Get("/sdapi/v1/progress"));
  EXPECT_GT(progress["state"]["sampling_step"].get<int>(), 0)
      << "the running job goes on";
  postJson(client, "/sdapi/v1/interrupt", json::object());
  EXPECT_EQ(running.get()->status, 200);
  EXPECT_EQ(metric(server, "avila_images_generated_total"), 1);
}

TEST(Serving, AuthenticationAndCors) {
  ServerProcess server({"--api-auth", "alice:secret,bob:pw2",
                        "--cors-allow-origins", "http://app.example"});
  httplib::Client anonymous = server.client();
  auto refused = anonymous.Get("/health");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(refused->get_header_value("WWW-Authenticate"), "Basic");
  EXPECT_EQ(jsonOf(refused).at("detail"), "Incorrect username or password");
  refused = anonymous.Get("/sdapi/v1/sd-models");
  EXPECT_EQ(refused->status, 401);

  httplib::Client wrong = server.client();
  wrong.set_basic_auth("alice", "pw2");
  EXPECT_EQ(wrong.Get("/health")->status, 401);

  httplib::Client bob = server.client();
  bob.set_basic_auth("bob", "pw2");
  auto allowed = bob.Get("/health", {{"Origin", "http://app.example"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"),
            "http://app.example");
  auto foreign = bob.Get("/health", {{"Origin", "http://evil.example"}});
  EXPECT_EQ(foreign->status, 200);
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin"));

  // A browser's preflight carries no credentials.
  auto preflight = anonymous.Options(
      "/sdapi/v1/txt2img",
      {{"Origin", "http://app.example"},
       {"Access-Control-Request-Method", "POST"},
       {"Access-Control-Request-Headers", "content-type,authorization"}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Origin"),
            "http://app.example");
  EXPECT_NE(
      preflight->get_header_value("Access-Control-Allow-Methods").find("POST"),
      std::string::npos);
  EXPECT_EQ(preflight->get_header_value("Access-Control-Allow-Headers"),
            "content-type,authorization");
  EXPECT_NE(server.log().find("GET /health 401"), std::string::npos);
}

TEST(Serving, AFullQueueAnswers429) {
  ServerProcess server({"--queue-size", "1"});
  BusyServer busy(server);
  httplib::Client client = server.client();
  const auto full = postJson(client, "/sdapi/v1/txt2img", kShortJob);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->status, 429);
  EXPECT_TRUE(full->has_header("Retry-After"));
  EXPECT_NE(full->body.find("queue is full"), std::string::npos);

  postJson(client, "/sdapi/v1/interrupt", json::object());
  EXPECT_EQ(busy.running.get()->status, 200);
  const auto &done = busy.queued->get();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(jsonOf(done).at("images").size(), 1u);
}

// SIGTERM: the queued job is refused, the running one interrupted after the
// grace period and answered, and the process exits 0.
TEST(Serving, SigtermFinishesInBoundedTimeAndExitsZero) {
  ServerProcess server({"--shutdown-grace", "0.3"});
  BusyServer busy(server);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(server.terminate(30), 0) << server.log();
  EXPECT_LT(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      10.0);
  const auto &partial = busy.running.get();
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->status, 200);
  EXPECT_EQ(jsonOf(partial).at("images").size(), 1u);
  const auto &refused = busy.queued->get();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
}

// 10 000 connections open at once, every one accepted, then dropped
// unread: the server answers after, and its sockets are all closed again.
TEST(Serving, SurvivesAFloodOfDroppedConnections) {
  ServerProcess server;
  const size_t descriptors = server.openDescriptors();
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  const size_t count =
      std::min<size_t>(10000, files.rlim_cur > 200 ? files.rlim_cur - 100 : 0);
  ASSERT_GE(count, 1000u) << "too few file descriptors for the test";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<pollfd> sockets;
  for (size_t i = 0; i < count; ++i) {
    const int socket = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(socket, 0);
    connect(socket, reinterpret_cast<sockaddr *>(&address), sizeof address);
    sockets.push_back({socket, POLLOUT, 0});
  }
  // Every connection established before any is dropped.
  size_t established = 0, refused = 0;
  const auto start = std::chrono::steady_clock::now();
  while (established + refused < count && secondsSince(start) < 60) {
    poll(sockets.data(), sockets.size(), 100);
    for (pollfd &socket : sockets) {
      if (socket.fd < 0 || !socket.revents)
        continue;
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      ++(error ? refused : established);
      close(socket.fd);
      // Closed at once: the server sees the connection dropped unread.
      socket.fd = -1;
    }
  }
  EXPECT_EQ(established, count) << refused << " refused";
  for (const pollfd &socket : sockets)
    if (socket.fd >= 0)
      close(socket.fd);
  httplib::Client client = server.client();
  const auto health = client.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto job = postJson(client, "/sdapi/v1/txt2img", kShortJob);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, 200);
  client.stop();
  const auto drained = std::chrono::steady_clock::now();
  while (server.openDescriptors() > descriptors && secondsSince(drained) < 30)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(server.openDescriptors(), descriptors);
  EXPECT_EQ(server.terminate(), 0);
}

// bench/ServerLoad.cpp, briefly, with more clients than the queue holds:
// no 5xx, every job answered with its image or 429, memory flat.
TEST(Serving, HoldsUnderLoad) {
  ServerProcess server({"--queue-size", "3"});
  const auto [status, output] = runCommand(
      {std::getenv("AVILA_BENCH_SERVER"), "--port",
       std::to_string(server.port()), "--pid",
       std::to_string(server.processId()), "--seconds", "2", "--clients", "8"});
  EXPECT_EQ(status, 0) << output;
  std::printf("%s", output.c_str());
  // The jobs line: "txt2img <ok> x 200 <busy> x 429 ...".
  int ok = 0, busy = 0;
  ASSERT_EQ(std::sscanf(output.c_str() + output.find("txt2img"),
                        "txt2img %d x 200 %d x 429", &ok, &busy),
            2)
      << output;
  EXPECT_GT(ok, 0);
  EXPECT_GT(busy, 0) << "8 clients, room for 4 jobs: some must get 429";
  EXPECT_EQ(server.terminate(), 0);
}

TEST(Serving, BadFlagsAreRefusedByName) {
  ServerProcess server;
  const std::string binary = std::getenv("AVILA_SERVER");
  for (const auto &[flags, message] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--port", "99999"}, "--port must be between 0 and 65535"},
           {{"--artifact", "x"}, "--models-dir or --model is required"},
           {{"--artifact", "x", "--models-dir", "/nonexistent"},
            "is not a folder"},
           {{"--bogus", "1"}, "unknown option --bogus"},
           {{"--api-auth", "nocolon", "--artifact", "x", "--model", "y"},
            "--api-auth takes user:password pairs"}}) {
    std::vector<std::string> words = {binary};
    words.insert(words.end(), flags.begin(), flags.end());
    const auto [status, output] = runCommand(words);
    EXPECT_NE(status, 0) << flags.front();
    EXPECT_NE(output.find(message), std::string::npos) << output;
  }
  // A port in use.
  const auto [status, output] =
      runCommand({binary, "--artifact", std::getenv("AVILA_TINY_ARTIFACT"),
                  "--models-dir", (server.folder / "models").string(),
                  "--device", "cpu", "--port", std::to_string(server.port())});
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("cannot listen on"), std::string::npos) << output;
}

} // namespace
} // namespace avila::test
