//===- ArtifactFuzzer.cpp - libFuzzer target for the artifact reader ------===//

#include "runtime/artifact/Artifact.h"
#include "runtime/base/Error.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  try {
    avila::Artifact artifact(std::vector<uint8_t>(data, data + size));
    if (const auto *entries = artifact.root().entry_points())
      for (const auto *entry : *entries) {
        std::vector<std::vector<int64_t>> shapes;
        for (const auto *input : *entry->inputs())
          shapes.emplace_back(input->shape()->size(), 2);
        (void)avila::evaluateExprs(*entry, shapes);
      }
  } catch (const avila::Error &) {
  }
  return 0;
}
