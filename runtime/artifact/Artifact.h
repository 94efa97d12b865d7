//===- Artifact.h - Reading and verifying compiled artifacts -----*- C++
//-*-===//
//
// An artifact is untrusted input: the bytes pass the FlatBuffers verifier,
// then every index the schema leaves unchecked (expression operands, kernel,
// input, output, weight and binding indices, counts against kernel
// signatures) is checked once, here, so that the executor can index freely.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_ARTIFACT_ARTIFACT_H
#define AVILA_RUNTIME_ARTIFACT_ARTIFACT_H

#include "runtime/artifact/artifact_generated.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace avila {

/// The artifact format this runtime reads and the compiler writes.
constexpr uint32_t kArtifactFormatVersion = 5;

/// The most invocations one workgroup may have, in all and along any axis
/// (what every desktop Vulkan device offers; the device checks its own).
constexpr int64_t kMaxWorkgroupInvocations = 1024;

/// The most bytes of push constants one kernel may take: what every desktop
/// Vulkan device offers (maxPushConstantsSize).
constexpr uint32_t kMaxPushConstantBytes = 256;

/// The bytes a value of `type` takes.
size_t elementSize(artifact::ElementType type);

const char *targetName(artifact::Target target);

/// The CRC-32 the artifact records for its code.
uint32_t codeChecksum(std::span<const uint8_t> code);

class Artifact {
public:
  /// Verifies `bytes`. Throws avila::Error naming the first problem; when
  /// `target` is given, an artifact for another target is refused.
  explicit Artifact(std::vector<uint8_t> bytes,
                    std::optional<artifact::Target> target = std::nullopt);
  static Artifact load(const std::filesystem::path &path,
                       std::optional<artifact::Target> target = std::nullopt);

  const artifact::Artifact &root() const { return *rootTable; }
  const artifact::EntryPoint *entryPoint(std::string_view name) const;

private:
  std::vector<uint8_t> storage;
  const artifact::Artifact *rootTable = nullptr;
};

/// The value of every expression of `entry` for inputs of the given shapes
/// (which must match the entry's input ranks). Throws on overflow, division
/// by zero or a negative size.
std::vector<int64_t>
evaluateExprs(const artifact::EntryPoint &entry,
              std::span<const std::vector<int64_t>> inputShapes);

} // namespace avila

#endif // AVILA_RUNTIME_ARTIFACT_ARTIFACT_H
