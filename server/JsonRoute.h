//===- JsonRoute.h - JSON in, JSON out, A1111's error bodies -----*- C++-*-===//

#ifndef AVILA_SERVER_JSONROUTE_H
#define AVILA_SERVER_JSONROUTE_H

#include "server/ApiError.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>

namespace avila::server {

/// The request body as JSON; ApiError 422 for anything else (an empty
/// body is an empty object, as clients send no body to POST endpoints
/// without fields).
nlohmann::json parseBody(const httplib::Request &request);

/// `body` serialized (invalid UTF-8 replaced, never thrown on).
void sendJson(httplib::Response &response, int status,
              const nlohmann::json &body);
/// How an API shapes its error bodies.
using ErrorBody = std::function<nlohmann::json(const ApiError &)>;
/// A1111's: {"error", "detail", "body", "errors"}.
nlohmann::json a1111ErrorBody(const ApiError &error);
/// The error's status and body (with Retry-After for 429).
void sendError(httplib::Response &response, const ApiError &error,
               const ErrorBody &body = a1111ErrorBody);

/// A route whose handler returns JSON; ApiError becomes its status and
/// body, any other exception a 500 naming it.
httplib::Server::Handler
jsonRoute(std::function<nlohmann::json(const httplib::Request &)> handler,
          ErrorBody errorBody = a1111ErrorBody);

} // namespace avila::server

#endif // AVILA_SERVER_JSONROUTE_H
