//===- Png.cpp - PNG files with text chunks -------------------------------===//

#include "runtime/image/Png.h"

#include "runtime/base/Error.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

namespace avila {
namespace {

// Plain ASCII goes into tEXt (Latin-1); anything else is UTF-8 for iTXt.
bool isAscii(const std::string &text) {
  for (unsigned char c : text)
    if (c >= 0x80)
      return false;
  return true;
}

void appendBytes(png_structp png, png_bytep data, png_size_t length) {
  auto *out = static_cast<std::vector<uint8_t> *>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + length);
}

// libpng reports errors by longjmp to the setjmp of the call that failed
// (no C++ exception crosses its C frames); the message waits here.
thread_local std::string lastError;

[[noreturn]] void raise(png_structp png, png_const_charp message) {
  lastError = message;
  png_longjmp(png, 1);
}

void ignoreWarning(png_structp, png_const_charp) {}

} // namespace

std::vector<uint8_t> encodePng(const Image &image,
                               const std::map<std::string, std::string> &text) {
  std::vector<uint8_t> bytes;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr,
                                            raise, ignoreWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    fail("cannot allocate a PNG writer");
  }
  std::vector<png_text> chunks;
  for (const auto &[key, value] : text) {
    png_text chunk{};
    const bool plain = isAscii(value);
    chunk.compression =
        plain ? PNG_TEXT_COMPRESSION_NONE : PNG_ITXT_COMPRESSION_NONE;
    chunk.key = const_cast<char *>(key.c_str());
    chunk.text = const_cast<char *>(value.c_str());
    chunk.text_length = plain ? value.size() : 0;
    chunk.itxt_length = plain ? 0 : value.size();
    chunks.push_back(chunk);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    fail("cannot encode the PNG: " + lastError);
  }
  png_set_write_fn(png, &bytes, appendBytes, nullptr);
  png_set_IHDR(png, info, image.width, image.height, 8, PNG_COLOR_TYPE_RGB,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!chunks.empty())
    png_set_text(png, info, chunks.data(), static_cast<int>(chunks.size()));
  png_write_info(png, info);
  for (int y = 0; y < image.height; ++y)
    png_write_row(png, image.rgb.data() + size_t(y) * image.width * 3);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return bytes;
}

void writePng(const std::filesystem::path &path, const Image &image,
              const std::map<std::string, std::string> &text) {
  const std::vector<uint8_t> bytes = encodePng(image, text);
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream.write(reinterpret_cast<const char *>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
  if (!stream)
    fail("cannot write " + path.string());
}

std::map<std::string, std::string>
readPngText(const std::filesystem::path &path) {
  std::unique_ptr<FILE, int (*)(FILE *)> file(std::fopen(path.c_str(), "rb"),
                                              std::fclose);
  if (!file)
    fail("cannot read " + path.string());
  png_byte signature[8];
  if (std::fread(signature, 1, 8, file.get()) != 8 ||
      png_sig_cmp(signature, 0, 8))
    fail(path.string() + " is not a PNG file");
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr,
                                           raise, ignoreWarning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    fail("cannot allocate a PNG reader");
  }
  std::map<std::string, std::string> text;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    fail(path.string() + ": " + lastError);
  }
  png_init_io(png, file.get());
  png_set_sig_bytes(png, 8);
  png_read_info(png, info);
  png_textp chunks = nullptr;
  const int count = png_get_text(png, info, &chunks, nullptr);
  for (int i = 0; i < count; ++i) {
    const bool international =
        chunks[i].compression == PNG_ITXT_COMPRESSION_NONE ||
        chunks[i].compression == PNG_ITXT_COMPRESSION_zTXt;
    text[chunks[i].key] =
        std::string(chunks[i].text, international ? chunks[i].itxt_length
                                                  : chunks[i].text_length);
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return text;
}

} // namespace avila
