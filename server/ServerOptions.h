//===- ServerOptions.h - avila-server's command line -------------*- C++-*-===//

#ifndef AVILA_SERVER_SERVEROPTIONS_H
#define AVILA_SERVER_SERVEROPTIONS_H

#include "server/GenerationRequest.h"

#include <filesystem>
#include <string>
#include <vector>

namespace avila::server {

struct ServerOptions {
  std::filesystem::path artifact;
  /// Folder of checkpoints; `model` alone serves one checkpoint.
  std::filesystem::path modelsDir;
  std::filesystem::path model;
  std::filesystem::path tokenizer;
  /// Folder of VAEs (.safetensors) for the sd_vae option; empty: none.
  std::filesystem::path vaeDir;
  /// LoRA files prompts name (<lora:name:m>); textual-inversion embeddings.
  std::filesystem::path loraDir, embeddingsDir;
  std::filesystem::path outputsDir = "outputs";
  std::string device = "auto";
  unsigned threads = 0;
  std::string listen = "127.0.0.1";
  int port = 7860;
  /// user:pass pairs; empty: no authentication.
  std::vector<std::pair<std::string, std::string>> credentials;
  /// Origins answered with CORS headers; "*" for any.
  std::vector<std::string> corsOrigins;
  /// Jobs waiting behind the running one before requests get 429.
  int queueSize = 16;
  size_t maxBodyBytes = 32 << 20;
  RequestLimits limits;
  /// How long SIGTERM waits for the running job before interrupting it.
  double shutdownGraceSeconds = 10;
};

/// Parses argv; prints --help and exits 0; throws avila::Error naming a
/// bad flag or value.
ServerOptions parseServerOptions(int argc, char **argv);

} // namespace avila::server

#endif // AVILA_SERVER_SERVEROPTIONS_H
