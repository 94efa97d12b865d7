//===- Png.h - PNG files with text chunks ------------------------*- C++
//-*-===//
//
// Generated images carry their parameters in a `parameters` tEXt chunk, the
// A1111 infotext that other tools read back.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_IMAGE_PNG_H
#define AVILA_RUNTIME_IMAGE_PNG_H

#include "runtime/image/Image.h"

#include <map>
#include <string>

namespace avila {

/// PNG bytes of `image` with one text chunk per entry (UTF-8 values go into
/// iTXt chunks, plain Latin-1 ones into tEXt).
std::vector<uint8_t> encodePng(const Image &image,
                               const std::map<std::string, std::string> &text);
/// Writes encodePng's bytes to `path`, replacing it. Throws on I/O errors.
void writePng(const std::filesystem::path &path, const Image &image,
              const std::map<std::string, std::string> &text);
/// The text chunks of a PNG file. Throws for files that are not PNG.
std::map<std::string, std::string>
readPngText(const std::filesystem::path &path);

} // namespace avila

#endif // AVILA_RUNTIME_IMAGE_PNG_H
