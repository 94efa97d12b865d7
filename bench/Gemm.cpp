//===- Gemm.cpp - The contraction ukernel's GFLOP/s ---------------------===//
//
//   avila-bench-gemm [repeats, default 5]
//
// Multiplies f32 matrices through the runtime's contraction driver with
// each micro kernel variant the CPU has, on one and on two threads, and
// prints the median GFLOP/s: a square product, and the shape of SD 1.5's
// most expensive convolution (320 output channels, 64×64 pixels, 320·3·3
// depth). OpenBLAS sgemm is the roofline to compare with (bench/RESULTS.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/Contraction.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

using namespace avila::cpu;

double medianGflops(ThreadPool &pool, const MicroKernel &micro, int64_t m,
                    int64_t n, int64_t k, int repeats) {
  std::vector<float> a(m * k, 0.5f), b(k * n, 0.25f), c(m * n, 0.0f);
  Contraction x;
  x.m = m;
  x.n = n;
  x.k = k;
  x.a = {a.data(), strided(m, k), strided(k, 1)};
  x.b = {b.data(), strided(k, n), strided(n, 1)};
  x.c = {c.data(), strided(m, n), strided(n, 1)};
  contract(pool, x, micro); // warm-up: packing buffers, caches
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    contract(pool, x, micro);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(seconds.begin(), seconds.end());
  return 2.0 * m * n * k / seconds[seconds.size() / 2] / 1e9;
}

} // namespace

int main(int argc, char **argv) {
  const int repeats = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  struct Variant {
    const char *name;
    const MicroKernel *micro;
  };
  std::vector<Variant> variants = {{"avx2", &microKernelAvx2()}};
  if (__builtin_cpu_supports("avx512f"))
    variants.push_back({"avx512", &microKernelAvx512()});
  struct Shape {
    const char *name;
    int64_t m, n, k;
  };
  const Shape shapes[] = {{"square 2048", 2048, 2048, 2048},
                          {"conv 320x4096x2880", 320, 4096, 2880}};
  for (unsigned threads : {1u, 2u}) {
    ThreadPool pool(threads);
    for (const Shape &shape : shapes)
      for (const Variant &variant : variants)
        std::printf("%u thread(s)  %-20s %-7s %6.1f GFLOP/s\n", threads,
                    shape.name, variant.name,
                    medianGflops(pool, *variant.micro, shape.m, shape.n,
                                 shape.k, repeats));
  }
  return 0;
}
