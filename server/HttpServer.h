//===- HttpServer.h - avila-server's HTTP side -------------------*- C++-*-===//
//
// The routes on one listening socket, with what applies to all of them:
// HTTP Basic authentication, CORS, the body size limit, A1111's JSON error
// bodies for errors the routes never saw (404, 413), one log line per
// request (method, path, status, milliseconds) and its metrics.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_HTTPSERVER_H
#define AVILA_SERVER_HTTPSERVER_H

#include "server/A1111Api.h"

namespace avila::server {

class HttpServer {
public:
  HttpServer(const ServerOptions &options, ModelCatalog &catalog,
             DeviceWorker &worker, Metrics &metrics);

  /// Binds --listen:--port; returns the port (the one picked for 0).
  /// Throws avila::Error when the address cannot be bound.
  int bind();
  /// Serves until stop().
  void serve();
  /// Stops accepting; serve() returns once the requests in hand are done.
  void stop();

private:
  bool authorized(const httplib::Request &request) const;
  void addCorsHeaders(const httplib::Request &request,
                      httplib::Response &response) const;

  const ServerOptions &options;
  DeviceWorker &worker;
  Metrics &metrics;
  A1111Api a1111;
  httplib::Server http;
  std::vector<std::string> acceptedAuthorizations; // "Basic <base64>"
};

} // namespace avila::server

#endif // AVILA_SERVER_HTTPSERVER_H
