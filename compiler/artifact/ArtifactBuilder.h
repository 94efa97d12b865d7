//===- ArtifactBuilder.h - Compile model graphs into an artifact -*- C++
//-*-===//
//
// The compile driver: forms dispatches in every entry function, compiles the
// kernels for the target, and writes the schedule of each entry point (its
// size expressions, dispatches with their buffer bindings, the arena plan)
// and the weight manifest into the FlatBuffers artifact.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_COMPILER_ARTIFACT_ARTIFACTBUILDER_H
#define AVILA_COMPILER_ARTIFACT_ARTIFACTBUILDER_H

#include "compiler/targets/TargetBackend.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace avila {

struct ArtifactOptions {
  /// Told of each phase and code generator step as it starts.
  ProgressCallback progress;
  /// The checkpoint component ("text_encoder", "unet", "vae") whose weights
  /// each entry function uses.
  std::map<std::string, std::string> components;
  /// The single-file key of a weight (component, canonical name); empty
  /// when the model has no single-file layout.
  std::function<std::string(const std::string &, const std::string &)>
      singleFileKey;
};

/// Compiles every function of `module` (avila graphs; consumed) into an
/// artifact for `target` and returns its bytes.
llvm::Expected<std::vector<uint8_t>>
buildArtifact(mlir::ModuleOp module, const TargetBackend &target,
              const ArtifactOptions &options);

} // namespace avila

#endif // AVILA_COMPILER_ARTIFACT_ARTIFACTBUILDER_H
