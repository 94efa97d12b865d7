//===- Component.cpp - The networks of a Stable Diffusion model -----------===//

#include "runtime/weights/Component.h"

#include "runtime/base/Error.h"

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

Component componentNamed(const std::string &name) {
  for (Component component :
       {Component::TextEncoder, Component::UNet, Component::Vae})
    if (name == componentName(component))
      return component;
  fail("the artifact names an unknown component '" + name + "'");
}

} // namespace avila
