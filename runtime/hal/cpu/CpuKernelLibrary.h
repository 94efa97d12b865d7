//===- CpuKernelLibrary.h - An x86 artifact's loaded kernels -----*- C++
//-*-===//
//
// The artifact's shared object, loaded once its CPU features are found
// present, and the function of every kernel of its kernel table.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_CPU_CPUKERNELLIBRARY_H
#define AVILA_RUNTIME_HAL_CPU_CPUKERNELLIBRARY_H

#include "runtime/hal/KernelLibrary.h"
#include "runtime/hal/cpu/SharedObject.h"

namespace avila::cpu {

class CpuKernelLibrary final : public hal::KernelLibrary {
public:
  /// Throws avila::Error for a CPU feature the code needs and this CPU
  /// lacks, code that does not load, or a kernel it does not define. The
  /// kernels' ukernels run on `pool`, which must outlive the library.
  CpuKernelLibrary(const Artifact &artifact, ThreadPool &pool);

  KernelFunction function(uint32_t kernel) const { return functions[kernel]; }

private:
  SharedObject code;
  std::vector<KernelFunction> functions;
};

} // namespace avila::cpu

#endif // AVILA_RUNTIME_HAL_CPU_CPUKERNELLIBRARY_H
