//===- ServerOptions.cpp - avila-server's command line --------------------===//

#include "server/ServerOptions.h"

#include "runtime/base/Error.h"
#include "runtime/base/ParseNumber.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

namespace avila::server {
namespace {

const char *kUsage =
    R"(usage: avila-server --artifact <file.avila> (--models-dir <folder> | --model <checkpoint>)
                    [options]

Serves Stable Diffusion 1.x over HTTP with the AUTOMATIC1111 web UI API
(/sdapi/v1/...), so its clients work unchanged. docs/server.md lists the
endpoints.

  --artifact <file>          the compiled networks (from avila-compile)
  --models-dir <folder>      checkpoints to serve: .safetensors single files
                             and diffusers folders (the first one, by name,
                             is loaded at start); their sha256 hashes are
                             cached in <folder>/avila-hashes.json
  --model <path>             the checkpoint to load at start (one of
                             --models-dir's, or the only one served)
  --tokenizer <path>         CLIP tokenizer, as avila-run takes it
  --vae-dir <folder>         VAEs (.safetensors, as avila-run's --vae takes
                             them) that the sd_vae option names by file name
  --lora-dir <folder>        LoRA files (.safetensors) that prompts name as
                             <lora:name:m>; GET /sdapi/v1/loras lists them
  --embeddings-dir <folder>  textual-inversion embeddings (.safetensors);
                             GET /sdapi/v1/embeddings lists them
  --device <name>            auto (default), cpu, vulkan or vulkan:N
  --threads <n>              CPU threads (default: all)
  --listen <address>         the address to listen on (default 127.0.0.1;
                             0.0.0.0 for every interface)
  --port <n>                 the TCP port (default 7860; 0 picks a free one,
                             printed on stdout)
  --api-auth <user:pass[,user2:pass2]>
                             HTTP Basic authentication on every route
  --cors-allow-origins <origin[,origin2]>
                             origins answered with CORS headers ("*": any)
  --queue-size <n>           jobs that may wait behind the running one;
                             more get 429 with Retry-After (default 16)
  --max-body-bytes <n>       the largest request body (default 33554432)
  --max-width <n>, --max-height <n>
                             image size limits (default 2048; the artifact's
                             own range applies too)
  --max-steps <n>            sampling step limit (default 150)
  --max-batch-size <n>       images per batch limit (default 8)
  --max-images <n>           n_iter × batch_size limit (default 64)
  --outputs-dir <folder>     where save_images writes, in A1111's layout
                             (default outputs: outputs/txt2img-images/
                             <date>/<number>-<seed>.png)
  --shutdown-grace <s>       on SIGTERM, how long the running job may go on
                             before it is interrupted (default 10)
  -h, --help                 this text

Example:
  avila-server --artifact sd15.avila --models-dir models/ --port 7860
  curl -s localhost:7860/sdapi/v1/txt2img -H 'Content-Type: application/json' \
    -d '{"prompt": "an astronaut riding a horse", "steps": 20}'
)";

std::vector<std::string> splitList(const std::string &text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');)
    if (!item.empty())
      items.push_back(item);
  return items;
}

} // namespace

ServerOptions parseServerOptions(int argc, char **argv) {
  ServerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      std::exit(0);
    }
    if (!flag.starts_with("-"))
      fail("unexpected argument '" + flag + "' (see --help)");
    if (i + 1 >= argc)
      fail("missing value for " + flag + " (see --help)");
    const std::string value = argv[++i];
    if (flag == "--artifact")
      options.artifact = value;
    else if (flag == "--models-dir")
      options.modelsDir = value;
    else if (flag == "--vae-dir")
      options.vaeDir = value;
    else if (flag == "--model")
      options.model = value;
    else if (flag == "--tokenizer")
      options.tokenizer = value;
    else if (flag == "--lora-dir")
      options.loraDir = value;
    else if (flag == "--embeddings-dir")
      options.embeddingsDir = value;
    else if (flag == "--device")
      options.device = value;
    else if (flag == "--threads")
      options.threads = parseNumber<unsigned>(flag, value);
    else if (flag == "--listen")
      options.listen = value;
    else if (flag == "--port")
      options.port = parseBounded(flag, value, 0, 65535);
    else if (flag == "--api-auth") {
      for (const std::string &pair : splitList(value)) {
        const size_t colon = pair.find(':');
        if (colon == std::string::npos || colon == 0)
          fail("--api-auth takes user:password pairs, not '" + pair + "'");
        options.credentials.emplace_back(pair.substr(0, colon),
                                         pair.substr(colon + 1));
      }
      if (options.credentials.empty())
        fail("--api-auth takes user:password pairs");
    } else if (flag == "--cors-allow-origins")
      options.corsOrigins = splitList(value);
    else if (flag == "--queue-size")
      options.queueSize = parseBounded(flag, value, 0, 100000);
    else if (flag == "--max-body-bytes")
      options.maxBodyBytes =
          parseBounded<size_t>(flag, value, 1024, size_t(1) << 32);
    else if (flag == "--max-width")
      options.limits.maxWidth = parseBounded(flag, value, 8, 1 << 16);
    else if (flag == "--max-height")
      options.limits.maxHeight = parseBounded(flag, value, 8, 1 << 16);
    else if (flag == "--max-steps")
      options.limits.maxSteps = parseBounded(flag, value, 1, 1000);
    else if (flag == "--max-batch-size")
      options.limits.maxBatchSize = parseBounded(flag, value, 1, 1024);
    else if (flag == "--max-images")
      options.limits.maxImages = parseBounded(flag, value, 1, 10000);
    else if (flag == "--outputs-dir")
      options.outputsDir = value;
    else if (flag == "--shutdown-grace")
      options.shutdownGraceSeconds = parseBounded(flag, value, 0.0, 3600.0);
    else
      fail("unknown option " + flag + " (see --help)");
  }
  if (options.artifact.empty())
    fail("--artifact is required (see --help)");
  if (options.modelsDir.empty() && options.model.empty())
    fail("--models-dir or --model is required (see --help)");
  return options;
}

} // namespace avila::server
