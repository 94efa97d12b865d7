//===- Component.cpp - The networks of a Stable Diffusion model -----------===//

#include "runtime/weights/Component.h"

namespace avila {

const char *componentName(Component component) {
  switch (component) {
  case Component::TextEncoder:
    return "text_encoder";
  case Component::UNet:
    return "unet";
  case Component::Vae:
    return "vae";
  }
  return "?";
}

} // namespace avila
