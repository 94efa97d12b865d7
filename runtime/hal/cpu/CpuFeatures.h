//===- CpuFeatures.h - What the CPU offers the artifact's code ---*- C++
//-*-===//
//
// An x86 artifact lists the CPU features its code was compiled for (LLVM's
// names). Code that uses an instruction the CPU lacks dies of SIGILL in the
// middle of a run, so the runtime checks the list before loading the code.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_CPUFEATURES_H
#define AVILA_RUNTIME_HAL_CPU_CPUFEATURES_H

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace avila::cpu {

/// Whether this CPU (and the OS, for vector state) supports `feature`;
/// nullopt for a name the runtime does not know.
std::optional<bool> hasFeature(std::string_view feature);

/// Throws avila::Error naming the first feature of `features` that `has`
/// denies or does not know.
void requireFeatures(std::span<const std::string> features,
                     const std::function<std::optional<bool>(std::string_view)>
                         &has = hasFeature);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_CPUFEATURES_H
