//===- ResizeMode.h - Fitting an init image to the requested size -*- C++
//-*-===//
//
// The A1111 web UI's three ways of making an img2img init image the
// requested size (modules/images.py, resize_image), so that its users get
// the init image they expect.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_IMAGE_RESIZEMODE_H
#define AVILA_RUNTIME_IMAGE_RESIZEMODE_H

#include "runtime/image/Resample.h"

namespace avila {

enum class ResizeMode {
  Just, // 0: stretched to the size, whatever the aspect ratio
  Crop, // 1: scaled to cover the size, centred, the overhang cut off
  Fill, // 2: scaled to fit inside, centred, the bands on either side
        //    filled by stretching the image's edge rows or columns
};

/// "just", "crop", "fill" or A1111's numbers "0", "1", "2"; false for
/// anything else.
bool parseResizeMode(std::string_view name, ResizeMode &mode);

/// The size an image of imageWidth×imageHeight is scaled to before it is
/// centred on the width×height canvas, and whether that takes the canvas's
/// width (the height following from the ratio) or its height. Throws
/// avila::Error when a side would exceed kMaxImageSide.
struct ResizeFit {
  int scaledWidth, scaledHeight;
  bool takesWidth;
};
ResizeFit fitImage(int imageWidth, int imageHeight, int width, int height,
                   ResizeMode mode);

/// `image` made width×height as A1111 does with its default upscaler
/// ("None"): the scaling uses `filter`; the fill bands use Pillow's default
/// (bicubic), as A1111's code does.
Image resizeImage(const Image &image, int width, int height, ResizeMode mode,
                  ResizeFilter filter);

} // namespace avila

#endif // AVILA_RUNTIME_IMAGE_RESIZEMODE_H
