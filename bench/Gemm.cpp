//===- Gemm.cpp - The contraction ukernel's GFLOP/s ---------------------===//
//
//   avila-bench-gemm [repeats, default 5]
//
// Runs f32 contractions through the runtime's contraction driver with each
// micro kernel variant the CPU has, on one and on two threads, and prints
// the median GFLOP/s: a square product; the shape of SD 1.5's most
// expensive U-Net convolution as a plain matrix product (320 output
// channels, 64×64 pixels, 320·3·3 depth); and a real 3×3 convolution read
// through its im2col view, the VAE decoder's 256 → 128 channels at 512×512
// pixels. OpenBLAS sgemm is the roofline to compare with (bench/RESULTS.md).
//
//===----------------------------------------------------------------------===//

#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/Contraction.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace {

using namespace avila::cpu;

// A contraction with its operands' storage.
struct Problem {
  std::vector<float> a, b, c;
  Contraction x;
  double flops() const { return 2.0 * x.m * x.n * x.k; }
};

Problem matrixProduct(int64_t m, int64_t n, int64_t k) {
  Problem p{std::vector<float>(m * k, 0.5f),
            std::vector<float>(k * n, 0.25f),
            std::vector<float>(m * n, 0.0f),
            {}};
  p.x.m = m;
  p.x.n = n;
  p.x.k = k;
  p.x.a = {p.a.data(), strided(m, k), strided(k, 1)};
  p.x.b = {p.b.data(), strided(k, n), strided(n, 1)};
  p.x.c = {p.c.data(), strided(m, n), strided(n, 1)};
  return p;
}

// NCHW input already padded by one pixel, OIHW weight, stride 1.
Problem convolution3x3(int64_t in, int64_t out, int64_t size) {
  const int64_t padded = size + 2;
  Problem p{std::vector<float>(out * in * 9, 0.5f),
            std::vector<float>(in * padded * padded, 0.25f),
            std::vector<float>(out * size * size, 0.0f),
            {}};
  int64_t params[conv2d::Count] = {};
  using namespace conv2d;
  params[Input] = reinterpret_cast<int64_t>(p.b.data());
  params[Weight] = reinterpret_cast<int64_t>(p.a.data());
  params[Output] = reinterpret_cast<int64_t>(p.c.data());
  params[Batch] = 1;
  params[OutChannels] = out;
  params[InChannels] = in;
  params[KernelH] = params[KernelW] = 3;
  params[OutH] = params[OutW] = size;
  params[StrideH] = params[StrideW] = 1;
  params[InputStrideN] = in * padded * padded;
  params[InputStrideC] = padded * padded;
  params[InputStrideH] = padded;
  params[InputStrideW] = 1;
  params[WeightStrideO] = in * 9;
  params[WeightStrideC] = 9;
  params[WeightStrideH] = 3;
  params[WeightStrideW] = 1;
  params[OutputStrideN] = out * size * size;
  params[OutputStrideO] = size * size;
  params[OutputStrideH] = size;
  params[OutputStrideW] = 1;
  p.x = conv2dContraction(params);
  return p;
}

double medianGflops(ThreadPool &pool, const MicroKernel &micro,
                    const Problem &problem, int repeats) {
  contract(pool, problem.x, micro); // warm-up: packing buffers, caches
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    contract(pool, problem.x, micro);
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  std::sort(seconds.begin(), seconds.end());
  return problem.flops() / seconds[seconds.size() / 2] / 1e9;
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
    std::function<Problem()> make;
  };
  const Shape shapes[] = {
      {"square 2048", [] { return matrixProduct(2048, 2048, 2048); }},
      {"conv 320x4096x2880", [] { return matrixProduct(320, 4096, 2880); }},
      {"vae conv3x3 256>128 @512",
       [] { return convolution3x3(256, 128, 512); }},
  };
  for (unsigned threads : {1u, 2u}) {
    ThreadPool pool(threads);
    for (const Shape &shape : shapes) {
      const Problem problem = shape.make();
      for (const Variant &variant : variants)
        std::printf("%u thread(s)  %-26s %-7s %6.1f GFLOP/s\n", threads,
                    shape.name, variant.name,
                    medianGflops(pool, *variant.micro, problem, repeats));
    }
  }
  return 0;
}
