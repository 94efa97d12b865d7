//===- TargetRegistry.h - The target backends by name ------------*- C++
//-*-===//
//
// The one list of target backends: `avila-compile --target` and its help and
// errors come from here.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_TARGETS_TARGETREGISTRY_H
#define AVILA_COMPILER_TARGETS_TARGETREGISTRY_H

#include "compiler/targets/TargetBackend.h"

#include <string>
#include <vector>

namespace avila {

/// The backend registered as `name`, or null.
const TargetBackend *targetBackend(llvm::StringRef name);

/// The names of every registered backend, in registration order.
std::vector<std::string> targetBackendNames();

} // namespace avila

#endif // AVILA_COMPILER_TARGETS_TARGETREGISTRY_H
