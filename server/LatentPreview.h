//===- LatentPreview.h - A glimpse of latents as colours ---------*- C++-*-===//
//
// The A1111 web UI's "Approx cheap" live preview: each latent pixel's four
// channels mapped to RGB by one fixed 4×3 matrix fitted to SD 1.x's VAE,
// at the latents' size (1/8 of the image's). No network runs.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_SERVER_LATENTPREVIEW_H
#define AVILA_SERVER_LATENTPREVIEW_H

#include "runtime/executor/Executable.h"
#include "runtime/image/Image.h"

namespace avila::server {

/// The first image of [B, 4, h, w] latents as an h×w RGB image.
Image previewLatents(const HostTensor &latents);

} // namespace avila::server

#endif // AVILA_SERVER_LATENTPREVIEW_H
