//===- avila-server.cpp - Stable Diffusion over HTTP ----------------------===//
//
// Serves the AUTOMATIC1111 web UI API with the compiled networks (see
// docs/server.md). SIGTERM or SIGINT: no new jobs, the running one gets
// --shutdown-grace seconds, then the process exits 0.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "server/HttpServer.h"

#include <csignal>
#include <cstdio>
#include <pthread.h>

namespace fs = std::filesystem;
using namespace avila::server;

namespace {

CatalogEntry initialModel(const ServerOptions &options,
                          const ModelCatalog &catalog) {
  const std::vector<CatalogEntry> entries = catalog.entries();
  if (entries.empty())
    avila::fail("no models in " + options.modelsDir.string() +
                " (.safetensors files or diffusers folders)");
  if (options.model.empty())
    return entries.front();
  for (const CatalogEntry &entry : entries)
    if (fs::equivalent(entry.path, options.model))
      return entry;
  avila::fail("--model " + options.model.string() + " is not served");
}

int run(const ServerOptions &options) {
  // Signals go to the thread that waits for them, never to a server thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  ModelCatalog catalog(options.modelsDir, options.model);
  const CatalogEntry first = initialModel(options, catalog);
  Metrics metrics;
  DeviceWorker worker(catalog,
                      {options.artifact, options.tokenizer, options.threads,
                       options.device, options.loraDir, options.embeddingsDir},
                      options.queueSize, metrics);
  std::fprintf(stderr, "avila-server: loading %s\n", first.title().c_str());
  worker.load(first);
  HttpServer server(options, catalog, worker, metrics);
  const int port = server.bind();
  std::printf("avila-server: listening on http://%s:%d (%s on %s)\n",
              options.listen.c_str(), port, first.title().c_str(),
              worker.deviceName().c_str());
  std::fflush(stdout);

  std::promise<void> stopped;
  std::thread([&] {
    int signal = 0;
    sigwait(&signals, &signal);
    std::fprintf(stderr, "avila-server: %s, stopping\n", strsignal(signal));
    worker.shutdown(options.shutdownGraceSeconds);
    server.stop();
    stopped.set_value();
  }).detach();
  server.serve();
  stopped.get_future().wait();
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(parseServerOptions(argc, argv));
  } catch (const std::exception &error) {
    std::fprintf(stderr, "avila-server: error: %s\n", error.what());
    return 1;
  }
}
