//===- CpuKernelLibrary.cpp - An x86 artifact's loaded kernels ------------===//

#include "runtime/hal/cpu/CpuKernelLibrary.h"
#include "runtime/base/Error.h"
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

// The kernel ABI passes scalars as the int64 array's entries between the
// descriptors, so only that layout can be honoured.
void requireInt64PushConstants(const hal::KernelSignature &signature) {
  for (size_t i = 0; i < signature.pushConstants.size(); ++i) {
    const artifact::PushConstant &constant = signature.pushConstants[i];
    if (constant.type() != artifact::ElementType::I64 ||
        constant.offset() != 8 * i)
      fail("kernel '" + signature.name + "' takes push constant " +
           std::to_string(i) + " as " +
           artifact::EnumNameElementType(constant.type()) + " at offset " +
           std::to_string(constant.offset()) +
           ": the cpu device passes I64 at offset " + std::to_string(8 * i));
  }
}

} // namespace

CpuKernelLibrary::CpuKernelLibrary(const Artifact &artifact, ThreadPool &pool)
    : hal::KernelLibrary(artifact),
      code(codeForThisCpu(artifact.root()), pool) {
  for (uint32_t kernel = 0; kernel < size(); ++kernel) {
    requireInt64PushConstants(signature(kernel));
    functions.push_back(code.kernel(signature(kernel).entryPoint));
  }
}

} // namespace avila::cpu
