//===- SharedObject.h - Native kernels loaded from artifact bytes -*- C++
//-*-===//
//
// An x86 artifact carries its kernels as an ELF shared object. It is loaded
// from memory (memfd + dlopen, never a file an attacker could swap) with its
// symbols kept local, and its imports (the contraction ukernels) bound to
// the runtime's, running on the given thread pool. Native code cannot be
// verified: an artifact is a program, and the runtime runs only artifacts its
// user chose to trust.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_SHAREDOBJECT_H
#define AVILA_RUNTIME_HAL_CPU_SHAREDOBJECT_H

#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace avila::cpu {

/// A kernel: `args` holds the flattened memref descriptor of every buffer
/// (see docs/artifact.md). The code generator exports kernel `k` as
/// kKernelSymbolPrefix + k.
using KernelFunction = void (*)(const int64_t *args);
constexpr const char *kKernelSymbolPrefix = "avila_kernel_";

class ThreadPool;

class SharedObject {
public:
  /// Throws avila::Error when the bytes are not a loadable shared object of
  /// our code generator. `pool` must outlive the object.
  SharedObject(std::span<const uint8_t> bytes, ThreadPool &pool);
  ~SharedObject();
  SharedObject(const SharedObject &) = delete;
  SharedObject &operator=(const SharedObject &) = delete;

  /// The kernel exported as `entryPoint` (kKernelSymbolPrefix + its
  /// function's name); throws when it is missing.
  KernelFunction kernel(const std::string &entryPoint) const;

private:
  void *handle = nullptr;
  ImportTable imports;
};

/// A dense row-major buffer and its shape.
struct BufferRef {
  void *data;
  std::vector<int64_t> shape;
};

/// The kernel argument array for `buffers`: for each, base pointer twice,
/// offset 0, sizes, row-major strides.
std::vector<int64_t> kernelArguments(std::span<const BufferRef> buffers);

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_SHAREDOBJECT_H
