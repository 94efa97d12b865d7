//===- CpuKernelLibrary.cpp - An x86 artifact's loaded kernels ------------===//

#include "runtime/hal/cpu/CpuKernelLibrary.h"
#include "runtime/hal/cpu/CpuFeatures.h"

namespace avila::cpu {

namespace {

// Code using an instruction the CPU lacks would die of SIGILL mid-run, so
// the features are checked before the code is loaded.
std::span<const uint8_t> codeForThisCpu(const artifact::Artifact &root) {
  if (root.target_features()) {
    std::vector<std::string> features;
    for (const flatbuffers::String *feature : *root.target_features())
      features.push_back(feature->str());
    requireFeatures(features);
  }
  if (!root.code())
    return {};
  return {root.code()->data(), root.code()->size()};
}

} // namespace

CpuKernelLibrary::CpuKernelLibrary(const Artifact &artifact, ThreadPool &pool)
    : hal::KernelLibrary(artifact),
      code(codeForThisCpu(artifact.root()), pool) {
  for (uint32_t kernel = 0; kernel < size(); ++kernel)
    functions.push_back(code.kernel(signature(kernel).entryPoint));
}

} // namespace avila::cpu
