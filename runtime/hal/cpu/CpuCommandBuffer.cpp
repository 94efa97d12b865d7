//===- CpuCommandBuffer.cpp - Kernel calls recorded for the CPU -----------===//

#include "runtime/hal/cpu/CpuCommandBuffer.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/CpuKernelLibrary.h"

#include <chrono>

namespace avila::cpu {

void CpuCommandBuffer::record(const hal::KernelLibrary &library,
                              uint32_t kernel,
                              std::span<const hal::BufferBinding> bindings,
                              std::span<const int64_t> constants,
                              const hal::WorkgroupCount
                                  & /*workgroups: kernels split their work on
                                      the thread pool themselves*/) {
  const auto *native = dynamic_cast<const CpuKernelLibrary *>(&library);
  if (!native)
    fail("the cpu device cannot run a kernel library of another device");
  std::vector<BufferRef> buffers;
  for (const hal::BufferBinding &binding : bindings) {
    std::byte *base = binding.buffer->mapping();
    if (!base)
      fail("the cpu device cannot bind " + binding.buffer->label() +
           ", a buffer of another device");
    buffers.push_back({base + binding.offset, binding.shape});
  }
  // The kernel ABI: inputs, then push constants, then results.
  const auto results =
      buffers.begin() + library.signature(kernel).inputBindings;
  std::vector<int64_t> arguments =
      kernelArguments(std::span<const BufferRef>(buffers.begin(), results));
  arguments.insert(arguments.end(), constants.begin(), constants.end());
  const std::vector<int64_t> resultArguments =
      kernelArguments(std::span<const BufferRef>(results, buffers.end()));
  arguments.insert(arguments.end(), resultArguments.begin(),
                   resultArguments.end());
  calls.push_back({native->function(kernel), std::move(arguments)});
}

void CpuCommandBuffer::run(std::vector<double> *dispatchSeconds) const {
  for (const Call &call : calls) {
    if (!dispatchSeconds) {
      call.function(call.arguments.data());
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    call.function(call.arguments.data());
    dispatchSeconds->push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
}

} // namespace avila::cpu
