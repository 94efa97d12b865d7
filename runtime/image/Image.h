//===- Image.h - 8-bit RGB images in and out of the networks -----*- C++
//-*-===//

#ifndef AVILA_RUNTIME_IMAGE_IMAGE_H
#define AVILA_RUNTIME_IMAGE_IMAGE_H

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace avila {

/// The largest image side read, and the largest an image is scaled to.
constexpr int kMaxImageSide = 16384;

/// Interleaved 8-bit RGB, row-major.
struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;
};

/// Decodes a PNG or JPEG file (alpha dropped, grey expanded). Throws
/// avila::Error naming the file for anything that is not such an image or
/// is larger than kMaxImageSide pixels a side (judged from the header,
/// before any pixel is decoded).
Image readImage(const std::filesystem::path &path);
/// The same from bytes in memory (`what` names them in errors).
Image decodeImage(std::span<const uint8_t> bytes, const std::string &what);

/// NCHW floats in [-1, 1] (what the VAE encoder reads), one image.
std::vector<float> imageToTensor(const Image &image);
/// One image of an NCHW tensor in [0, 1], rounded to 8 bits; values outside
/// are clamped and NaN becomes 0.
Image tensorToImage(std::span<const float> chw, int width, int height);

} // namespace avila

#endif // AVILA_RUNTIME_IMAGE_IMAGE_H
