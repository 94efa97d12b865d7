//===- ServerLoad.cpp - avila-server under load, bounded ------------------===//
//
// Drives a running avila-server on loopback with concurrent clients, each
// phase bounded in time and in count: GET /health, then txt2img jobs.
// Checks what must hold under load and exits 1 when it does not: no 5xx
// and no failed connection, every job answered 200 with its image or 429
// with Retry-After, the server's image count equal to the 200s, the queue
// empty after, and the server's resident memory flat across the run (taken
// after a warm-up of both phases). Prints requests/s, jobs/s, p50/p99
// latencies and RSS before/after (bench/RESULTS.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/base/ParseNumber.h"
#include "runtime/image/Image.h"
#include "server/Base64.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int port = 0;
  int pid = 0;
  double seconds = 10;
  int clients = 16;
  int maxRequests = 1000000; // per phase
  double maxRssGrowthMiB = 32;
};

const json kJob = {{"prompt", "a red circle"},
                   {"width", 64},
                   {"height", 64},
                   {"steps", 2},
                   {"seed", 1}};

[[noreturn]] void usage(const std::string &message) {
  avila::fail(message + "\nusage: avila-bench-server --port N --pid N "
                        "[--seconds S] [--clients N] [--max-requests N] "
                        "[--max-rss-growth-mib M]");
}

Options parseOptions(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc)
      usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--port")
      options.port = avila::parseBounded(flag, value, 1, 65535);
    else if (flag == "--pid")
      options.pid = avila::parseBounded(flag, value, 1, 1 << 30);
    else if (flag == "--seconds")
      options.seconds = avila::parseBounded(flag, value, 0.1, 3600.0);
    else if (flag == "--clients")
      options.clients = avila::parseBounded(flag, value, 1, 1024);
    else if (flag == "--max-requests")
      options.maxRequests = avila::parseBounded(flag, value, 1, 1 << 30);
    else if (flag == "--max-rss-growth-mib")
      options.maxRssGrowthMiB = avila::parseBounded(flag, value, 0.0, 1e6);
    else
      usage("unknown option " + flag);
  }
  if (!options.port || !options.pid)
    usage("--port and --pid are required");
  return options;
}

double residentMiB(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:"))
      return std::stod(line.substr(6)) / 1024;
  avila::fail("no process " + std::to_string(pid));
}

// What one phase saw.
struct Tally {
  std::mutex mutex;
  std::vector<double> seconds;       // of the requests answered 200
  int ok = 0, busy = 0, failed = 0;  // 200s, 429s, anything else
  std::vector<std::string> failures; // the first few

  void fail(const std::string &what) {
    std::lock_guard<std::mutex> lock(mutex);
    ++failed;
    if (failures.size() < 10)
      failures.push_back(what);
    else if (failures.size() == 10)
      failures.push_back("...");
  }
};

double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * double(values.size() - 1))];
}

// One request's outcome into `tally`; a job's 200 must carry its 64x64 PNG.
void record(Tally &tally, const httplib::Result &result, double seconds,
            bool job) {
  if (!result) {
    tally.fail("no answer: " + httplib::to_string(result.error()));
    return;
  }
  if (result->status == 429 && job) {
    if (!result->has_header("Retry-After"))
      tally.fail("429 without Retry-After");
    std::lock_guard<std::mutex> lock(tally.mutex);
    ++tally.busy;
    return;
  }
  if (result->status != 200) {
    tally.fail("status " + std::to_string(result->status) + ": " +
               result->body.substr(0, 200));
    return;
  }
  if (job) {
    const json body = json::parse(result->body, nullptr, false);
    const auto png =
        body.is_object() && body["images"].is_array() &&
                body["images"].size() == 1 && body["images"][0].is_string()
            ? avila::server::decodeBase64(body["images"][0].get<std::string>())
            : std::nullopt;
    try {
      if (!png)
        throw avila::Error("no image");
      const avila::Image image = avila::decodeImage(*png, "the image");
      if (image.width != 64 || image.height != 64)
        throw avila::Error("not 64x64");
    } catch (const avila::Error &error) {
      tally.fail(std::string("a 200 without its image: ") + error.what());
      return;
    }
  }
  std::lock_guard<std::mutex> lock(tally.mutex);
  ++tally.ok;
  tally.seconds.push_back(seconds);
}

// `clients` threads, each with its own keep-alive connection, sending
// until `seconds` pass or `maxRequests` were sent in all; the elapsed time.
double runPhase(const Options &options, double seconds, Tally &tally,
                bool job) {
  std::atomic<int> sent{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int i = 0; i < options.clients; ++i)
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", options.port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(300, 0);
      while (Clock::now() < end && sent++ < options.maxRequests) {
        const auto begin = Clock::now();
        const auto result = job ? client.Post("/sdapi/v1/txt2img", kJob.dump(),
                                              "application/json")
                                : client.Get("/health");
        record(tally, result,
               std::chrono::duration<double>(Clock::now() - begin).count(),
               job);
        if (result && result->status == 429)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  for (std::thread &thread : threads)
    thread.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

json getJson(const Options &options, const std::string &path) {
  httplib::Client client("127.0.0.1", options.port);
  const auto result = client.Get(path.c_str());
  if (!result || result->status != 200)
    avila::fail("GET " + path + " failed after the run");
  return json::parse(result->body);
}

int64_t imagesGenerated(const Options &options) {
  httplib::Client client("127.0.0.1", options.port);
  const auto result = client.Get("/metrics");
  const std::string name = "\navila_images_generated_total ";
  const size_t at = result ? result->body.find(name) : std::string::npos;
  if (at == std::string::npos)
    avila::fail("GET /metrics has no avila_images_generated_total");
  return std::stoll(result->body.substr(at + name.size()));
}

void report(const char *what, const Tally &tally, double elapsed,
            const char *unit) {
  std::printf("%-8s %6d x 200 %5d x 429 %3d failed in %6.2f s: %9.1f %s, "
              "p50 %8.2f ms, p99 %8.2f ms\n",
              what, tally.ok, tally.busy, tally.failed, elapsed,
              tally.ok / elapsed, unit, percentile(tally.seconds, 0.5) * 1000,
              percentile(tally.seconds, 0.99) * 1000);
}

int run(const Options &options) {
  // Warm-up: threads, buffers and allocator arenas reach their steady size.
  {
    Tally health, jobs;
    runPhase(options, 1, health, false);
    runPhase(options, 1, jobs, true);
  }
  while (getJson(options, "/health")["queue_length"] != 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double rssBefore = residentMiB(options.pid);
  const int64_t imagesBefore = imagesGenerated(options);

  Tally health, jobs;
  const double healthSeconds =
      runPhase(options, options.seconds, health, false);
  report("/health", health, healthSeconds, "requests/s");
  const double jobSeconds = runPhase(options, options.seconds, jobs, true);
  report("txt2img", jobs, jobSeconds, "jobs/s");

  std::vector<std::string> failures = health.failures;
  failures.insert(failures.end(), jobs.failures.begin(), jobs.failures.end());
  const json after = getJson(options, "/health");
  if (after["queue_length"] != 0)
    failures.push_back("jobs left in the queue: " + after.dump());
  const int64_t images = imagesGenerated(options) - imagesBefore;
  if (images != jobs.ok)
    failures.push_back("the server generated " + std::to_string(images) +
                       " images for " + std::to_string(jobs.ok) +
                       " answered jobs");
  const double rssAfter = residentMiB(options.pid);
  std::printf("RSS before %.1f MiB, after %.1f MiB (%+.1f MiB)\n", rssBefore,
              rssAfter, rssAfter - rssBefore);
  if (rssAfter - rssBefore > options.maxRssGrowthMiB)
    failures.push_back("resident memory grew by more than " +
                       std::to_string(options.maxRssGrowthMiB) + " MiB");
  for (const std::string &failure : failures)
    std::fprintf(stderr, "avila-bench-server: %s\n", failure.c_str());
  return failures.empty() ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parseOptions(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-bench-server: error: %s\n", error.what());
    return 1;
  }
}
