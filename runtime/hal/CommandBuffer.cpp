//===- CommandBuffer.cpp - Dispatches recorded for one submission ---------===//

#include "runtime/hal/CommandBuffer.h"
#include "runtime/base/Error.h"

namespace avila::hal {

CommandBuffer::~CommandBuffer() = default;

void CommandBuffer::dispatch(const KernelLibrary &library, uint32_t kernel,
                             std::span<const BufferBinding> bindings,
                             std::span<const int64_t> constants,
                             const WorkgroupCount &workgroups) {
  const KernelSignature &signature = library.signature(kernel);
  const std::string at = "dispatch of kernel '" + signature.name + "'";
  if (bindings.size() != signature.bindings.size() ||
      constants.size() != signature.pushConstants.size())
    fail(at + ": " + std::to_string(bindings.size()) + " bindings and " +
         std::to_string(constants.size()) +
         " push constants, but the kernel "
         "takes " +
         std::to_string(signature.bindings.size()) + " and " +
         std::to_string(signature.pushConstants.size()));
  for (size_t axis = 0; axis < workgroups.size(); ++axis)
    if (workgroups[axis] < 1 || workgroups[axis] > kMaxWorkgroupCount)
      fail(at + ": " + std::to_string(workgroups[axis]) + " workgroups along " +
           "xyz"[axis] + ", outside [1, " + std::to_string(kMaxWorkgroupCount) +
           "]");
  for (size_t i = 0; i < bindings.size(); ++i) {
    const BufferBinding &binding = bindings[i];
    if (!binding.buffer)
      fail(at + ": binding " + std::to_string(i) + " has no buffer");
    if (!rangeFits(binding.offset, binding.length, binding.buffer->size()))
      fail(at + ": binding " + std::to_string(i) + " (" +
           std::to_string(binding.length) + " bytes at offset " +
           std::to_string(binding.offset) + ") does not lie within " +
           binding.buffer->label() + ", a " +
           std::to_string(binding.buffer->size()) + "-byte buffer");
  }
  record(library, kernel, bindings, constants, workgroups);
}

} // namespace avila::hal
