//===- HttpServer.cpp - avila-server's HTTP side --------------------------===//

#include "server/HttpServer.h"

#include "runtime/base/Error.h"
#include "server/Base64.h"
#include "server/JsonRoute.h"
#include "server/OpenAiApi.h"
#include "server/WebPage.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

using nlohmann::json;

namespace avila::server {
namespace {

// When the request being served began, per server thread, for the log.
thread_local std::chrono::steady_clock::time_point requestStart;

// Handler threads: each waiting job holds one while it waits, and status
// requests must still find one free.
size_t handlerThreads(int queueSize) {
  return std::min<size_t>(static_cast<size_t>(queueSize) + 8, 256);
}

} // namespace

HttpServer::HttpServer(const ServerOptions &options, ModelCatalog &catalog,
                       DeviceWorker &worker, Metrics &metrics)
    : options(options), worker(worker), metrics(metrics),
      a1111(options, catalog, worker) {
  for (const auto &[user, password] : options.credentials) {
    const std::string pair = user + ":" + password;
    acceptedAuthorizations.push_back(
        "Basic " +
        encodeBase64(std::span(reinterpret_cast<const uint8_t *>(pair.data()),
                               pair.size())));
  }
  const size_t threads = handlerThreads(options.queueSize);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options.maxBodyBytes);
  // httplib writes a response's headers and body separately: with Nagle's
  // algorithm and the client's delayed ACK, every keep-alive request would
  // wait 40 ms for the body.
  http.set_tcp_nodelay(true);
  // httplib's default adds SO_REUSEPORT, which lets a second server share
  // a port in use instead of failing.
  http.set_socket_options([](socket_t socket) {
    const int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

  http.set_pre_routing_handler(
      [this](const httplib::Request &request, httplib::Response &response) {
        requestStart = std::chrono::steady_clock::now();
        addCorsHeaders(request, response);
        // Browsers send CORS preflights without credentials.
        if (request.method == "OPTIONS") {
          response.status = 204;
          return httplib::Server::HandlerResponse::Handled;
        }
        if (!authorized(request)) {
          response.set_header("WWW-Authenticate", "Basic");
          sendError(response, ApiError(401, "Incorrect username or password"));
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  http.set_error_handler(
      [](const httplib::Request &request, httplib::Response &response) {
        if (!response.body.empty())
          return;
        if (response.status == 404)
          sendError(response, ApiError(404, "Not Found: " + request.path));
        else if (response.status == 413)
          sendError(response, ApiError(413, "the request body is too large"));
        else
          sendError(response, ApiError(response.status, "request failed"));
      });
  http.set_logger([this](const httplib::Request &request,
                         const httplib::Response &response) {
    const double seconds = std::chrono::duration<double>(
                               std::chrono::steady_clock::now() - requestStart)
                               .count();
    std::fprintf(stderr, "%s %s %d %.1f ms\n", request.method.c_str(),
                 request.path.c_str(), response.status, seconds * 1000);
    // Paths nobody serves (or that failed authentication) would make a
    // label per probe.
    const bool known = response.status != 404 && response.status != 401;
    this->metrics.request(known ? request.path : "other", response.status,
                          seconds);
  });

  http.Get("/health", jsonRoute([this](const httplib::Request &) {
             const auto model = this->worker.model();
             return json{
                 {"ready", this->worker.ready()},
                 {"model", model ? json(model->title()) : json(nullptr)},
                 {"device", this->worker.deviceName()},
                 {"queue_length", this->worker.queueLength()}};
           }));
  http.Get("/metrics", [this](const httplib::Request &,
                              httplib::Response &response) {
    const auto [current, peak] = this->worker.deviceMemory();
    response.set_content(
        this->metrics.render(this->worker.queueLength(), current, peak),
        "text/plain; version=0.0.4");
  });
  http.Get("/", [](const httplib::Request &, httplib::Response &response) {
    response.set_content(webPage(), "text/html; charset=utf-8");
  });
  a1111.install(http);
  installOpenAiApi(http, worker, options.limits);
}

bool HttpServer::authorized(const httplib::Request &request) const {
  if (acceptedAuthorizations.empty())
    return true;
  const std::string given = request.get_header_value("Authorization");
  return std::find(acceptedAuthorizations.begin(), acceptedAuthorizations.end(),
                   given) != acceptedAuthorizations.end();
}

void HttpServer::addCorsHeaders(const httplib::Request &request,
                                httplib::Response &response) const {
  const std::string origin = request.get_header_value("Origin");
  if (origin.empty())
    return;
  const auto &allowed = options.corsOrigins;
  const bool any =
      std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
  if (!any &&
      std::find(allowed.begin(), allowed.end(), origin) == allowed.end())
    return;
  response.set_header("Access-Control-Allow-Origin", origin);
  response.set_header("Access-Control-Allow-Credentials", "true");
  response.set_header("Access-Control-Allow-Methods",
                      "GET, POST, PUT, DELETE, OPTIONS");
  const std::string headers =
      request.get_header_value("Access-Control-Request-Headers");
  response.set_header("Access-Control-Allow-Headers",
                      headers.empty() ? "*" : headers);
  response.set_header("Vary", "Origin");
}

int HttpServer::bind() {
  if (options.port == 0) {
    const int port = http.bind_to_any_port(options.listen);
    if (port < 0)
      fail("cannot listen on " + options.listen);
    return port;
  }
  if (!http.bind_to_port(options.listen, options.port))
    fail("cannot listen on " + options.listen + ":" +
         std::to_string(options.port) + " (in use, or not an address here)");
  return options.port;
}

void HttpServer::serve() { http.listen_after_bind(); }

void HttpServer::stop() { http.stop(); }

} // namespace avila::server
