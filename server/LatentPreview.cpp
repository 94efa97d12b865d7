//===- LatentPreview.cpp - A glimpse of latents as colours ----------------===//

#include "server/LatentPreview.h"

#include "runtime/base/Error.h"

#include <algorithm>
#include <cmath>

namespace avila::server {
namespace {

// A1111's modules/sd_vae_approx.py cheap_approximation for SD 1.x: RGB in
// [-1, 1] = latent channels × this.
constexpr float kLatentToRgb[4][3] = {{0.298f, 0.207f, 0.208f},
                                      {0.187f, 0.286f, 0.173f},
                                      {-0.158f, 0.189f, 0.264f},
                                      {-0.184f, -0.271f, -0.473f}};

} // namespace

Image previewLatents(const HostTensor &latents) {
  if (latents.shape.size() != 4 || latents.shape[1] != 4)
    fail("a preview needs [B, 4, h, w] latents");
  const int64_t height = latents.shape[2], width = latents.shape[3];
  const size_t plane = static_cast<size_t>(height * width);
  Image image;
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.rgb.resize(plane * 3);
  for (size_t i = 0; i < plane; ++i)
    for (int c = 0; c < 3; ++c) {
      float value = 0;
      for (int channel = 0; channel < 4; ++channel)
        value += latents.floats[channel * plane + i] * kLatentToRgb[channel][c];
      image.rgb[i * 3 + c] = static_cast<uint8_t>(
          std::lround(std::clamp((value + 1) / 2, 0.0f, 1.0f) * 255));
    }
  return image;
}

} // namespace avila::server
