//===- OpenAiApi.cpp - OpenAI's images API over the same jobs -------------===//

#include "server/OpenAiApi.h"

#include "runtime/image/Png.h"
#include "server/Base64.h"
#include "server/ClientConnection.h"
#include "server/JsonRoute.h"

#include <cstdio>
#include <ctime>

using nlohmann::json;

namespace avila::server {
namespace {

// Steps when the client does not say: OpenAI clients never do, and 20 is
// what most SD front ends default to.
constexpr int kDefaultSteps = 20;

json generate(const httplib::Request &http, DeviceWorker &worker,
              const RequestLimits &limits) {
  const json body = parseBody(http);
  if (!body.is_object())
    invalid("the request body must be a JSON object");
  const auto prompt = body.find("prompt");
  if (prompt == body.end() || !prompt->is_string())
    invalid("prompt: a string is required");
  json a1111 = {{"prompt", *prompt}, {"steps", kDefaultSteps}};
  for (const char *key :
       {"steps", "seed", "negative_prompt", "cfg_scale", "sampler_name"})
    if (body.contains(key))
      a1111[key] = body[key];
  if (body.contains("n"))
    a1111["n_iter"] = body["n"];
  if (const auto size = body.find("size"); size != body.end()) {
    int width = 0, height = 0;
    char tail = 0;
    if (!size->is_string() ||
        std::sscanf(size->get<std::string>().c_str(), "%dx%d%c", &width,
                    &height, &tail) != 2)
      invalid("size: expected \"WIDTHxHEIGHT\", such as \"512x512\"");
    a1111["width"] = width;
    a1111["height"] = height;
  }
  const std::string format = body.value("response_format", "b64_json");
  if (format != "b64_json")
    invalid("response_format: only b64_json is supported");

  const ClientConnection client(http);
  const JobResult result =
      worker.run(parseGenerationRequest(a1111, false, limits),
                 [&] { return client.closed(); });
  json data = json::array();
  for (const GeneratedImage &image : result.images)
    data.push_back(
        {{"b64_json", encodeBase64(encodePng(
                          image.image, {{"parameters", image.infotext}}))},
         {"revised_prompt", result.parameters.prompt}});
  return {{"created", static_cast<int64_t>(std::time(nullptr))},
          {"data", data}};
}

} // namespace

void installOpenAiApi(httplib::Server &http, DeviceWorker &worker,
                      const RequestLimits &limits) {
  http.Post("/v1/images/generations",
            jsonRoute(
                [&worker, limits](const httplib::Request &request) {
                  return generate(request, worker, limits);
                },
                [](const ApiError &error) {
                  const char *type = error.status == 429 ? "rate_limit_error"
                                     : error.status >= 500
                                         ? "server_error"
                                         : "invalid_request_error";
                  return json{{"error",
                               {{"message", error.what()},
                                {"type", type},
                                {"param", nullptr},
                                {"code", nullptr}}}};
                }));
}

} // namespace avila::server
