//===- Component.h - The networks of a Stable Diffusion model ----*- C++
//-*-===//

#ifndef AVILA_RUNTIME_WEIGHTS_COMPONENT_H
#define AVILA_RUNTIME_WEIGHTS_COMPONENT_H

#include <functional>
#include <string>

namespace avila {

enum class Component { TextEncoder, UNet, Vae };

/// "text_encoder", "unet", "vae": the diffusers folder names.
const char *componentName(Component component);
/// The component a folder name names; throws avila::Error for another name.
Component componentNamed(const std::string &name);

/// Where a single-file checkpoint keeps the weight that has a given
/// canonical (diffusers) name in a component.
using KeyTranslator =
    std::function<std::string(Component component, const std::string &name)>;

} // namespace avila

#endif // AVILA_RUNTIME_WEIGHTS_COMPONENT_H
