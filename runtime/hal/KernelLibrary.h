//===- KernelLibrary.h - An artifact's kernels, loaded on a device -*- C++
//-*-===//
//
// The kernels of an artifact's code, ready to dispatch: on the CPU the
// functions of a loaded shared object, on Vulkan one VkPipeline per kernel
// (its VkPipelineLayout from the signature: storage buffers, then push
// constants). Kernels are addressed by their index in the artifact's kernel
// table, which the schedule uses, or by name.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_KERNELLIBRARY_H
#define AVILA_RUNTIME_HAL_KERNELLIBRARY_H

#include "runtime/artifact/Artifact.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace avila::hal {

/// What a kernel takes: one buffer per entry of `bindings`, which says how
/// the kernel uses it, of which the first `inputBindings` come before the
/// push constants, and one scalar per entry of `pushConstants` (its type and
/// offset in the push-constant block); and how the code
/// exports it and how many invocations one of its workgroups has.
struct KernelSignature {
  std::string name;
  std::string entryPoint;
  std::array<uint32_t, 3> workgroupSize = {1, 1, 1};
  std::vector<artifact::BindingAccess> bindings;
  uint32_t inputBindings = 0;
  std::vector<artifact::PushConstant> pushConstants;
};

class KernelLibrary {
public:
  virtual ~KernelLibrary();
  KernelLibrary(const KernelLibrary &) = delete;
  KernelLibrary &operator=(const KernelLibrary &) = delete;

  uint32_t size() const { return static_cast<uint32_t>(signatures.size()); }
  /// Kernel `index`'s signature; throws avila::Error past the last kernel.
  const KernelSignature &signature(uint32_t index) const;
  /// The index of the kernel called `name`, if there is one.
  std::optional<uint32_t> find(std::string_view name) const;

protected:
  /// The signatures of the verified artifact's kernel table, in its order.
  explicit KernelLibrary(const Artifact &artifact);

private:
  std::vector<KernelSignature> signatures;
};

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_KERNELLIBRARY_H
