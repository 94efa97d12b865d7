//===- JsonRoute.cpp - JSON in, JSON out, A1111's error bodies ------------===//

#include "server/JsonRoute.h"

using nlohmann::json;

namespace avila::server {

json parseBody(const httplib::Request &request) {
  if (request.body.empty())
    return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded())
    invalid("the request body is not valid JSON");
  return body;
}

void sendJson(httplib::Response &response, int status, const json &body) {
  response.status = status;
  response.set_content(
      body.dump(-1, ' ', false, json::error_handler_t::replace),
      "application/json");
}

json a1111ErrorBody(const ApiError &error) {
  return {{"error", error.kind},
          {"detail", error.what()},
          {"body", ""},
          {"errors", error.what()}};
}

void sendError(httplib::Response &response, const ApiError &error,
               const ErrorBody &body) {
  // A job takes seconds; a client that waits this long finds room.
  if (error.status == 429)
    response.set_header("Retry-After", "5");
  sendJson(response, error.status, body(error));
}

httplib::Server::Handler
jsonRoute(std::function<json(const httplib::Request &)> handler,
          ErrorBody errorBody) {
  return [handler = std::move(handler), errorBody = std::move(errorBody)](
             const httplib::Request &request, httplib::Response &response) {
    try {
      sendJson(response, 200, handler(request));
    } catch (const ApiError &error) {
      sendError(response, error, errorBody);
    } catch (const std::exception &error) {
      sendError(response, ApiError(500, error.what(), "RuntimeError"),
                errorBody);
    }
  };
}

} // namespace avila::server
