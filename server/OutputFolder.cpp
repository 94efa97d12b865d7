//===- OutputFolder.cpp - save_images, in A1111's folder layout -----------===//

#include "server/OutputFolder.h"

#include "runtime/image/Png.h"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace fs = std::filesystem;

namespace avila::server {

fs::path OutputFolder::save(const GeneratedImage &image, bool img2img) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  const fs::path folder =
      root / (img2img ? "img2img-images" : "txt2img-images") / date;
  std::lock_guard<std::mutex> lock(mutex);
  fs::create_directories(folder);
  long next = 0;
  for (const auto &entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    size_t digits = 0;
    while (digits < name.size() &&
           std::isdigit(static_cast<unsigned char>(name[digits])))
      ++digits;
    if (digits > 0 && digits < 10)
      next = std::max(next, std::stol(name.substr(0, digits)) + 1);
  }
  char file[64];
  std::snprintf(file, sizeof file, "%05ld-%lld.png", next,
                static_cast<long long>(image.seed));
  const fs::path path = folder / file;
  writePng(path, image.image, {{"parameters", image.infotext}});
  return path;
}

} // namespace avila::server
