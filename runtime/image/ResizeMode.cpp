//===- ResizeMode.cpp - Fitting an init image to the requested size -------===//

#include "runtime/image/ResizeMode.h"

#include "runtime/base/Error.h"

#include <algorithm>

namespace avila {
namespace {

// `image` copied into `canvas` with its top left corner at (left, top);
// what falls outside the canvas is cut off (Pillow's paste).
void paste(Image &canvas, const Image &image, int left, int top) {
  const int x0 = std::max(left, 0);
  const int x1 = std::min(left + image.width, canvas.width);
  if (x1 <= x0)
    return;
  const int y1 = std::min(top + image.height, canvas.height);
  for (int y = std::max(top, 0); y < y1; ++y)
    std::copy_n(image.rgb.data() +
                    (size_t(y - top) * image.width + (x0 - left)) * 3,
                size_t(x1 - x0) * 3,
                canvas.rgb.data() + (size_t(y) * canvas.width + x0) * 3);
}

} // namespace

bool parseResizeMode(std::string_view name, ResizeMode &mode) {
  if (name == "just" || name == "0")
    mode = ResizeMode::Just;
  else if (name == "crop" || name == "1")
    mode = ResizeMode::Crop;
  else if (name == "fill" || name == "2")
    mode = ResizeMode::Fill;
  else
    return false;
  return true;
}

ResizeFit fitImage(int imageWidth, int imageHeight, int width, int height,
                   ResizeMode mode) {
  if (mode == ResizeMode::Just)
    return {width, height, true};
  // A1111 compares width / height with the image's ratio in floating point;
  // for sizes this small the cross products decide exactly the same.
  const int64_t requestSide = int64_t(width) * imageHeight;
  const int64_t imageSide = int64_t(imageWidth) * height;
  // Whether the scaled image takes the requested width (and its height
  // follows from the ratio, rounded down) or the requested height.
  const bool takesWidth = mode == ResizeMode::Crop ? requestSide > imageSide
                                                   : requestSide < imageSide;
  // A sliver (1×10000 fitted into 512×512) still keeps one pixel.
  const int64_t scaledWidth =
      takesWidth
          ? width
          : std::max<int64_t>(int64_t(imageWidth) * height / imageHeight, 1);
  const int64_t scaledHeight =
      takesWidth
          ? std::max<int64_t>(int64_t(imageHeight) * width / imageWidth, 1)
          : height;
  // Covering the request with a very wide or tall image would scale it
  // without bound (1×10000 cropped to 512×512 is 512×5120000 before the
  // crop).
  if (std::max(scaledWidth, scaledHeight) > kMaxImageSide)
    fail("cannot fit a " + std::to_string(imageWidth) + "x" +
         std::to_string(imageHeight) + " image to " + std::to_string(width) +
         "x" + std::to_string(height) + ": it would first be scaled to " +
         std::to_string(scaledWidth) + "x" + std::to_string(scaledHeight) +
         " (limit " + std::to_string(kMaxImageSide) + " a side)");
  return {static_cast<int>(scaledWidth), static_cast<int>(scaledHeight),
          takesWidth};
}

Image resizeImage(const Image &image, int width, int height, ResizeMode mode,
                  ResizeFilter filter) {
  const auto [scaledWidth, scaledHeight, takesWidth] =
      fitImage(image.width, image.height, width, height, mode);
  const Image scaled = resample(image, scaledWidth, scaledHeight, filter);
  if (mode == ResizeMode::Just)
    return scaled;
  Image result{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
  paste(result, scaled, width / 2 - scaled.width / 2,
        height / 2 - scaled.height / 2);
  if (mode != ResizeMode::Fill)
    return result;

  // The bands resample a zero-height (zero-width) strip at the image's
  // edge, which spreads the filter over the edge rows (columns); A1111
  // leaves Pillow's default filter there.
  const float w = static_cast<float>(scaled.width);
  const float h = static_cast<float>(scaled.height);
  if (const int band = height / 2 - scaled.height / 2; takesWidth && band > 0) {
    paste(result,
          resample(scaled, width, band, ResizeFilter::Bicubic, {0, 0, w, 0}), 0,
          0);
    paste(result,
          resample(scaled, width, band, ResizeFilter::Bicubic, {0, h, w, h}), 0,
          band + scaled.height);
  }
  if (const int band = width / 2 - scaled.width / 2; !takesWidth && band > 0) {
    paste(result,
          resample(scaled, band, height, ResizeFilter::Bicubic, {0, 0, 0, h}),
          0, 0);
    paste(result,
          resample(scaled, band, height, ResizeFilter::Bicubic, {w, 0, w, h}),
          band + scaled.width, 0);
  }
  return result;
}

} // namespace avila
