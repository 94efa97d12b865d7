//===- Image.cpp - 8-bit RGB images in and out of the networks ------------===//

#include "runtime/image/Image.h"

#include "runtime/base/Error.h"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <fstream>
#include <iterator>

namespace avila {

constexpr int kMaxImageSide = 16384;

Image decodeImage(std::span<const uint8_t> bytes, const std::string &what) {
  if (bytes.size() > INT_MAX)
    fail(what + " is too large");
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()),
                             &width, &height, &channels))
    fail(what + " is not a PNG or JPEG image (" + stbi_failure_reason() + ")");
  if (width < 1 || height < 1 || width > kMaxImageSide ||
      height > kMaxImageSide)
    fail(what + " is " + std::to_string(width) + "x" + std::to_string(height) +
         "; images up to " + std::to_string(kMaxImageSide) +
         " pixels a side are accepted");
  stbi_uc *pixels =
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()),
                            &width, &height, &channels, 3);
  if (!pixels)
    fail(what + " cannot be decoded (" + stbi_failure_reason() + ")");
  Image image{
      width, height,
      std::vector<uint8_t>(pixels, pixels + size_t(width) * height * 3)};
  stbi_image_free(pixels);
  return image;
}

Image readImage(const std::filesystem::path &path) {
  std::ifstream stream(path, std::ios::binary);
  if (!stream)
    fail("cannot read " + path.string());
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)),
                                   std::istreambuf_iterator<char>());
  return decodeImage(bytes, path.string());
}

Image resizeImage(const Image &image, int width, int height) {
  if (image.width == width && image.height == height)
    return image;
  Image resized{width, height,
                std::vector<uint8_t>(size_t(width) * height * 3)};
  if (!stbir_resize_uint8_generic(
          image.rgb.data(), image.width, image.height, image.width * 3,
          resized.rgb.data(), width, height, width * 3, 3,
          STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP,
          STBIR_FILTER_CATMULLROM, STBIR_COLORSPACE_SRGB, nullptr))
    fail("cannot resize the image");
  return resized;
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
      const float value = std::clamp(chw[c * plane + i], 0.0f, 1.0f);
      image.rgb[i * 3 + c] =
          static_cast<uint8_t>(std::nearbyint(value * 255.0f));
    }
  return image;
}

} // namespace avila
