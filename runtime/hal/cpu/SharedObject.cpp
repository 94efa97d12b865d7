//===- SharedObject.cpp - Native kernels loaded from artifact bytes -------===//

#include "runtime/hal/cpu/SharedObject.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/ukernels/Attention.h"
#include "runtime/hal/cpu/ukernels/Contraction.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"
#include "runtime/hal/cpu/ukernels/ParallelFor.h"

#include <cerrno>
#include <cstring>
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>

namespace avila::cpu {

SharedObject::SharedObject(std::span<const uint8_t> bytes, ThreadPool &pool)
    : imports{&pool,
              {matmulUkernel, conv2dUkernel, attentionUkernel,
               parallelForUkernel}} {
  // Compiled code cannot pass exceptions on: refuse a CPU the ukernels
  // cannot run on here, before any kernel does.
  bestMicroKernel();
  if (bytes.size() < 4 || std::memcmp(bytes.data(),
                                      "\x7f"
                                      "ELF",
                                      4) != 0)
    fail("the artifact's code is not an ELF shared object");
  int fd = ::memfd_create("avila-kernels", MFD_CLOEXEC);
  if (fd < 0)
    fail(std::string("memfd_create failed: ") + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n <= 0) {
      ::close(fd);
      fail("cannot stage the artifact's code in memory");
    }
    written += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ::close(fd);
  if (!handle)
    fail(std::string("cannot load the artifact's code: ") + ::dlerror());
  void *bind = ::dlsym(handle, kBindImportsSymbol);
  if (!bind) {
    ::dlclose(handle);
    fail("the artifact's code does not export avila_bind_imports");
  }
  reinterpret_cast<void (*)(const ImportTable *)>(bind)(&imports);
}

SharedObject::~SharedObject() {
  if (handle)
    ::dlclose(handle);
}

KernelFunction SharedObject::kernel(const std::string &entryPoint) const {
  void *function = ::dlsym(handle, entryPoint.c_str());
  if (!function)
    fail("the artifact's code has no kernel entry point '" + entryPoint + "'");
  return reinterpret_cast<KernelFunction>(function);
}

std::vector<int64_t> kernelArguments(std::span<const BufferRef> buffers) {
  std::vector<int64_t> args;
  for (const BufferRef &buffer : buffers) {
    const auto address = reinterpret_cast<int64_t>(buffer.data);
    args.insert(args.end(), {address, address, 0});
    args.insert(args.end(), buffer.shape.begin(), buffer.shape.end());
    std::vector<int64_t> strides(buffer.shape.size(), 1);
    for (size_t i = strides.size(); i-- > 1;)
      strides[i - 1] = strides[i] * buffer.shape[i];
    args.insert(args.end(), strides.begin(), strides.end());
  }
  return args;
}

} // namespace avila::cpu
