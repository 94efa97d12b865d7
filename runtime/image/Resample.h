//===- Resample.h - PIL's Image.resize for 8-bit RGB -------------*- C++
//-*-===//
//
// The reference pipelines (diffusers, the A1111 web UI) resize init images
// with Pillow, so the same photo only gives the same latents if it is
// resampled as Pillow does: separable (horizontal pass, then vertical),
// filtering the 8-bit values as they are (no linear light), the filter
// widened by the scale when shrinking, coefficients normalized and rounded
// to 22-bit fixed point, and each pass rounded and clipped to 8 bits.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_IMAGE_RESAMPLE_H
#define AVILA_RUNTIME_IMAGE_RESAMPLE_H

#include "runtime/image/Image.h"

#include <string_view>

namespace avila {

enum class ResizeFilter {
  Lanczos, // Lanczos, a = 3: diffusers' and A1111's choice for init images
  Bicubic, // Keys' cubic convolution, a = -0.5: Pillow's default
};

/// "lanczos" or "bicubic"; false for anything else.
bool parseResizeFilter(std::string_view name, ResizeFilter &filter);

/// The region of the source that is resampled, in source pixels (edges, not
/// centres). A region of zero height or width is allowed: every output row
/// (column) then samples the filter around that edge.
struct SourceBox {
  float left, top, right, bottom;
};

/// `Image.resize((width, height), filter, box)` of Pillow, to the bit.
/// Sizes must be positive.
Image resample(const Image &image, int width, int height, ResizeFilter filter,
               const SourceBox &box);
/// The same for the whole image.
Image resample(const Image &image, int width, int height, ResizeFilter filter);

} // namespace avila

#endif // AVILA_RUNTIME_IMAGE_RESAMPLE_H
