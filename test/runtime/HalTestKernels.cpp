//===- HalTestKernels.cpp - Two kernels in the code generator's ABI -------===//
//
// Built as a shared object that the CPU HAL tests put into an artifact:
// each kernel takes one int64 array of 1-D memref descriptors (base,
// aligned base, offset, size, stride) and push constants, in the order the
// code generator uses (inputs, push constants, results).
//
//===----------------------------------------------------------------------===//

#include <cstdint>

namespace {

struct Vector {
  float *data;
  int64_t size;
};

Vector vectorAt(const int64_t *&args) {
  Vector v{reinterpret_cast<float *>(args[1]) + args[2], args[3]};
  args += 5;
  return v;
}

} // namespace

extern "C" {

void avila_bind_imports(const void *) {}

/// y = x · factor
void avila_kernel_scale(const int64_t *args) {
  const Vector x = vectorAt(args);
  const int64_t factor = *args++;
  const Vector y = vectorAt(args);
  for (int64_t i = 0; i < y.size && i < x.size; ++i)
    y.data[i] = x.data[i] * static_cast<float>(factor);
}

/// c = a + b
void avila_kernel_add(const int64_t *args) {
  const Vector a = vectorAt(args);
  const Vector b = vectorAt(args);
  const Vector c = vectorAt(args);
  for (int64_t i = 0; i < c.size && i < a.size && i < b.size; ++i)
    c.data[i] = a.data[i] + b.data[i];
}
}
