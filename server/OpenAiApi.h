//===- OpenAiApi.h - OpenAI's images API over the same jobs ------*- C++-*-===//
//
// POST /v1/images/generations as OpenAI-style clients (and Open WebUI's
// OpenAI mode) call it: {prompt, n, size "WxH", response_format b64_json}
// → {created, data: [{b64_json, revised_prompt}]}, errors as OpenAI shapes
// them ({"error": {message, type, param, code}}). A1111 fields (steps,
// seed, negative_prompt, cfg_scale, sampler_name) pass through.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_OPENAIAPI_H
#define AVILA_SERVER_OPENAIAPI_H

#include "server/DeviceWorker.h"

#include <httplib.h>

namespace avila::server {

/// Registers the route; jobs go to `worker` within `limits`.
void installOpenAiApi(httplib::Server &http, DeviceWorker &worker,
                      const RequestLimits &limits);

} // namespace avila::server

#endif // AVILA_SERVER_OPENAIAPI_H
