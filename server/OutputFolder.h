//===- OutputFolder.h - save_images, in A1111's folder layout ----*- C++-*-===//

#ifndef AVILA_SERVER_OUTPUTFOLDER_H
#define AVILA_SERVER_OUTPUTFOLDER_H

#include "runtime/pipeline/Pipeline.h"

#include <filesystem>
#include <mutex>

namespace avila::server {

class OutputFolder {
public:
  explicit OutputFolder(std::filesystem::path root) : root(std::move(root)) {}

  /// Writes <root>/{txt2img,img2img}-images/<YYYY-MM-DD>/<NNNNN>-<seed>.png
  /// with the infotext, numbered after the folder's highest number as A1111
  /// numbers them; returns the path.
  std::filesystem::path save(const GeneratedImage &image, bool img2img);

private:
  std::filesystem::path root;
  std::mutex mutex; // numbering is read-then-write
};

} // namespace avila::server

#endif // AVILA_SERVER_OUTPUTFOLDER_H
