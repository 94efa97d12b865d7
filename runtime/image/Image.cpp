//===- Image.cpp - 8-bit RGB images in and out of the networks ------------===//

#include "runtime/image/Image.h"

#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <tuple>

namespace avila {
namespace {

// stb's header reader gives up on RGB PNGs over 2^30 bytes decoded (then
// every other format's reader fails too and the file reads as "unknown
// image type"), so the PNG size comes from its IHDR chunk here.
std::optional<std::pair<uint32_t, uint32_t>>
pngSize(std::span<const uint8_t> bytes) {
  static constexpr uint8_t kStart[16] = {0x89, 'P',  'N', 'G', '\r', '\n',
                                         0x1a, '\n', 0,   0,   0,    13,
                                         'I',  'H',  'D', 'R'};
  if (bytes.size() < 24 || !std::equal(kStart, kStart + 16, bytes.begin()))
    return std::nullopt;
  auto bigEndian = [&](size_t at) {
    return uint32_t(bytes[at]) << 24 | uint32_t(bytes[at + 1]) << 16 |
           uint32_t(bytes[at + 2]) << 8 | uint32_t(bytes[at + 3]);
  };
  return std::pair{bigEndian(16), bigEndian(20)};
}

} // namespace

Image decodeImage(std::span<const uint8_t> bytes, const std::string &what) {
  if (bytes.size() > INT_MAX)
    fail(what + " is too large (" + std::to_string(bytes.size()) +
         " bytes, limit " + std::to_string(INT_MAX) + ")");
  uint32_t width = 0, height = 0;
  if (const auto size = pngSize(bytes)) {
    std::tie(width, height) = *size;
  } else {
    int x = 0, y = 0, channels = 0;
    if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &x,
                               &y, &channels))
      fail(what + " is not a PNG or JPEG image (" + stbi_failure_reason() +
           ")");
    width = static_cast<uint32_t>(x);
    height = static_cast<uint32_t>(y);
  }
  // Judged before decoding: a header is all it takes to ask for gigabytes.
  if (width > kMaxImageSide || height > kMaxImageSide)
    fail(what + ": image too large (" + std::to_string(width) + "x" +
         std::to_string(height) + ", limit " + std::to_string(kMaxImageSide) +
         " a side)");
  int x = 0, y = 0, channels = 0;
  stbi_uc *pixels = stbi_load_from_memory(
      bytes.data(), static_cast<int>(bytes.size()), &x, &y, &channels, 3);
  if (!pixels)
    fail(what + " cannot be decoded (" + stbi_failure_reason() + ")");
  Image image{x, y, std::vector<uint8_t>(pixels, pixels + size_t(x) * y * 3)};
  stbi_image_free(pixels);
  return image;
}

Image readImage(const std::filesystem::path &path) {
  // Generous for a compressed image of at most kMaxImageSide a side.
  constexpr size_t kMaxImageFileBytes = size_t(1) << 30;
  const std::string bytes = readFile(path, kMaxImageFileBytes);
  return decodeImage(
      std::span(reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()),
      path.string());
}

std::vector<float> imageToTensor(const Image &image) {
  const size_t plane = size_t(image.width) * image.height;
  std::vector<float> tensor(plane * 3);
  for (size_t i = 0; i < plane; ++i)
    for (size_t c = 0; c < 3; ++c)
      tensor[c * plane + i] = image.rgb[i * 3 + c] / 255.0f * 2.0f - 1.0f;
  return tensor;
}

Image tensorToImage(std::span<const float> chw, int width, int height) {
  const size_t plane = size_t(width) * height;
  Image image{width, height, std::vector<uint8_t>(plane * 3)};
  for (size_t i = 0; i < plane; ++i)
    for (size_t c = 0; c < 3; ++c) {
      // NaN fails every comparison, so clamp would pass it through to a
      // conversion that is undefined for it.
      const float raw = chw[c * plane + i];
      const float value = std::isnan(raw) ? 0.0f : std::clamp(raw, 0.0f, 1.0f);
      image.rgb[i * 3 + c] =
          static_cast<uint8_t>(std::nearbyint(value * 255.0f));
    }
  return image;
}

} // namespace avila
