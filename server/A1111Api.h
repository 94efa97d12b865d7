//===- A1111Api.h - The AUTOMATIC1111 web UI's /sdapi/v1 routes --*- C++-*-===//

#ifndef AVILA_SERVER_A1111API_H
#define AVILA_SERVER_A1111API_H

#include "server/DeviceWorker.h"
#include "server/OutputFolder.h"
#include "server/ServerOptions.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace avila::server {

class A1111Api {
public:
  A1111Api(const ServerOptions &options, ModelCatalog &catalog,
           DeviceWorker &worker);

  /// Registers every /sdapi/v1 route.
  void install(httplib::Server &http);

private:
  nlohmann::json generate(const httplib::Request &request, bool img2img);
  nlohmann::json progress(const httplib::Request &request) const;
  nlohmann::json getOptions() const;
  nlohmann::json setOptions(const httplib::Request &request);
  nlohmann::json models() const;
  nlohmann::json memory() const;
  nlohmann::json loraList();
  nlohmann::json commandLineFlags() const;
  /// GET sd-vae: the .safetensors files of --vae-dir, by file name.
  nlohmann::json vaeList() const;
  /// The file sd_vae `name` names; empty for "Automatic", "None" or ""
  /// (the checkpoint's own). A 422 naming `field` for an unknown name.
  std::filesystem::path vaeFile(const std::string &name,
                                const std::string &field) const;

  const ServerOptions &options;
  ModelCatalog &catalog;
  DeviceWorker &worker;
  OutputFolder outputs;
  mutable std::mutex optionsMutex;
  /// What clients posted to /options, returned back to them.
  nlohmann::json posted = nlohmann::json::object();
};

} // namespace avila::server

#endif // AVILA_SERVER_A1111API_H
