//===- LaunchPlan.cpp - Reading a launch plan attribute -------------------===//

#include "compiler/targets/spirv/LaunchPlan.h"

using namespace mlir;

namespace avila::spirv {

namespace {

llvm::Error malformed(llvm::StringRef what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "malformed launch plan: " + what);
}

template <typename T> T field(DictionaryAttr dictionary, llvm::StringRef name) {
  return dictionary ? dyn_cast_or_null<T>(dictionary.get(name)) : T();
}

} // namespace

llvm::Expected<LaunchPlan> readLaunchPlan(DictionaryAttr plan) {
  auto sources = field<DenseI64ArrayAttr>(plan, kSources);
  auto scratch = field<ArrayAttr>(plan, kScratch);
  auto launches = field<ArrayAttr>(plan, kLaunches);
  if (!sources || !scratch || !launches || sources.size() % 2)
    return malformed("sources, scratch and launches");
  LaunchPlan result;
  for (int64_t i = 0; i < sources.size(); i += 2)
    result.sources.push_back({sources[i], sources[i + 1]});
  for (Attribute entry : scratch) {
    auto dictionary = dyn_cast<DictionaryAttr>(entry);
    auto type = field<TypeAttr>(dictionary, kElementType);
    auto sizes = field<AffineMapAttr>(dictionary, kSizes);
    if (!type || !sizes)
      return malformed("scratch buffer");
    result.scratch.push_back({type.getValue(), sizes.getValue()});
  }
  for (Attribute entry : launches) {
    auto dictionary = dyn_cast<DictionaryAttr>(entry);
    auto kernel = field<StringAttr>(dictionary, kKernel);
    auto buffers = field<DenseI64ArrayAttr>(dictionary, kBuffers);
    auto accesses = field<DenseI64ArrayAttr>(dictionary, kAccesses);
    auto constants = field<AffineMapAttr>(dictionary, kPushConstants);
    auto counts = field<AffineMapAttr>(dictionary, kWorkgroupCount);
    if (!kernel || !buffers || !accesses || !constants || !counts ||
        buffers.size() != accesses.size() ||
        counts.getValue().getNumResults() != 3)
      return malformed("launch");
    LaunchPlan::Launch launch;
    launch.kernel = kernel.str();
    launch.buffers.assign(buffers.asArrayRef().begin(),
                          buffers.asArrayRef().end());
    for (int64_t access : accesses.asArrayRef()) {
      if (access < 0 || access > static_cast<int64_t>(BindingAccess::MAX))
        return malformed("binding access");
      launch.accesses.push_back(static_cast<BindingAccess>(access));
    }
    launch.pushConstants = constants.getValue();
    launch.workgroupCount = counts.getValue();
    result.launches.push_back(std::move(launch));
  }
  return result;
}

} // namespace avila::spirv
