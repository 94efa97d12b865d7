//===- UkernelTest.cpp - The CPU ukernels against plain loops -------------===//
//
// Shapes span several row, column and depth blocks and end in partial
// tiles; operands are strided views (transposed, batch-broadcast, with
// non-contiguous result columns, heads interleaved) so every packing and
// write-back path runs, with every micro kernel variant the CPU has. Sizes
// and values are drawn fresh per run; AVILA_TEST_SEED replays one.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Difference.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/ThreadPool.h"
#include "runtime/hal/cpu/ukernels/Attention.h"
#include "runtime/hal/cpu/ukernels/Contraction.h"
#include "runtime/hal/cpu/ukernels/MicroKernel.h"
#include "runtime/hal/cpu/ukernels/UkernelAbi.h"
#include "test/TestSeed.h"

#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <random>

namespace avila::cpu {
namespace {

class Drawn {
public:
  explicit Drawn(unsigned seed) : engine(seed) {}
  int64_t size(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(engine);
  }
  std::vector<float> values(size_t count) {
    std::normal_distribution<float> normal;
    std::vector<float> v(count);
    for (float &x : v)
      x = normal(engine);
    return v;
  }

private:
  std::mt19937 engine;
};

// Fresh sizes and values per test, with the seed in every failure message.
class Ukernel : public ::testing::Test {
protected:
  const unsigned seed = test::testSeed();
  ::testing::ScopedTrace trace{__FILE__, __LINE__, test::replayHint(seed)};
  Drawn r{seed};
};

int64_t address(const float *p) { return reinterpret_cast<int64_t>(p); }

void expectClose(const std::vector<float> &actual,
                 const std::vector<double> &expected) {
  EXPECT_LE(relativeL2(actual, expected), 1e-5);
}

// Runs `ukernel` with every micro kernel variant this CPU can run, from the
// same initial `result`, and compares each outcome.
void expectEveryVariant(
    const std::function<void(ThreadPool &, const MicroKernel &)> &ukernel,
    std::vector<float> &result, const std::vector<double> &expected) {
  const std::vector<float> initial = result;
  ThreadPool pool(2);
  std::vector<std::pair<const char *, const MicroKernel *>> variants = {
      {"avx2", &microKernelAvx2()}};
  if (__builtin_cpu_supports("avx512f"))
    variants.push_back({"avx512", &microKernelAvx512()});
  for (auto [name, micro] : variants) {
    SCOPED_TRACE(name);
    result = initial;
    ukernel(pool, *micro);
    expectClose(result, expected);
  }
}

// Through the parameter array that compiled code passes.
void expectEveryVariant(Contraction (*describe)(const int64_t *),
                        const int64_t *params, std::vector<float> &result,
                        const std::vector<double> &expected) {
  expectEveryVariant(
      [&](ThreadPool &pool, const MicroKernel &micro) {
        contract(pool, describe(params), micro);
      },
      result, expected);
}

TEST(ThreadPool, RunsEveryItemOnce) {
  ThreadPool pool(3);
  for (int64_t count : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> runs(count);
    pool.parallelFor(count, [&](int64_t i) { ++runs[i]; });
    for (const auto &r : runs)
      EXPECT_EQ(r.load(), 1);
  }
}

// A typo such as --threads 100000 is refused by name instead of starting
// threads until the process runs out of them.
TEST(ThreadPool, RefusesFarMoreThreadsThanTheMachineHas) {
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const unsigned limit = ThreadPool::kMaxOversubscription * hardware;
  try {
    ThreadPool pool(limit + 1);
    ADD_FAILURE() << "accepted " << limit + 1 << " threads";
  } catch (const avila::Error &error) {
    EXPECT_EQ(std::string(error.what()),
              std::to_string(limit + 1) + " threads asked for; at most " +
                  std::to_string(limit) + " (4 per hardware thread, " +
                  std::to_string(hardware) + " here)");
  }
  EXPECT_THROW(ThreadPool(100000), avila::Error);
  EXPECT_EQ(ThreadPool(limit).size(), limit);
}

// C[b, i, j] += Σ_k A[b, k, i] · B[k, j] with A transposed, B shared by the
// batch, C's columns strided by 2 (every other column untouched).
// B is read as stored ([k, n]) or transposed ([n, k], a linear's weight),
// which packs along the other dimension.
TEST_F(Ukernel, StridedBatchedMatmul) {
  const int64_t batch = r.size(1, 3), m = r.size(1, 420), n = r.size(1, 300),
                k = r.size(1, 600);
  const bool transposedB = r.size(0, 1);
  SCOPED_TRACE(std::to_string(batch) + "x" + std::to_string(m) + "x" +
               std::to_string(n) + "x" + std::to_string(k) +
               (transposedB ? " B transposed" : ""));
  const int64_t bStrideK = transposedB ? 1 : n, bStrideN = transposedB ? k : 1;
  std::vector<float> a = r.values(batch * k * m), b = r.values(k * n),
                     c = r.values(batch * m * n * 2);
  std::vector<double> expected(c.begin(), c.end());
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum +=
              double(a[(s * k + p) * m + i]) * b[p * bStrideK + j * bStrideN];
        expected[(s * m + i) * n * 2 + 2 * j] += sum;
      }
  using namespace matmul;
  int64_t params[Count] = {};
  params[A] = address(a.data());
  params[B] = address(b.data());
  params[C] = address(c.data());
  params[Batch0] = batch;
  params[Batch1] = params[Batch2] = 1;
  params[M] = m;
  params[N] = n;
  params[K] = k;
  params[AStrideBatch0] = k * m;
  params[AStrideM] = 1;
  params[AStrideK] = m;
  params[BStrideK] = bStrideK;
  params[BStrideN] = bStrideN;
  params[CStrideBatch0] = m * n * 2;
  params[CStrideM] = n * 2;
  params[CStrideN] = 2;
  expectEveryVariant(matmulContraction, params, c, expected);
}

// A contiguous convolution over a padded input: stride 1 or 2, 1×1 to 3×3.
TEST_F(Ukernel, Convolution) {
  const int64_t batch = r.size(1, 2), channels = r.size(1, 40),
                outChannels = r.size(1, 50), kh = r.size(1, 3),
                kw = r.size(1, 3), stride = r.size(1, 2), h = r.size(kh, 30),
                w = r.size(kw, 30);
  const int64_t oh = (h - kh) / stride + 1, ow = (w - kw) / stride + 1;
  std::vector<float> in = r.values(batch * channels * h * w),
                     weight = r.values(outChannels * channels * kh * kw),
                     out(batch * outChannels * oh * ow, 0.0f);
  std::vector<double> expected(out.size(), 0.0);
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < outChannels; ++o)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t x = 0; x < ow; ++x) {
          double sum = 0;
          for (int64_t c = 0; c < channels; ++c)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j)
                sum += double(in[((n * channels + c) * h + y * stride + i) * w +
                                 x * stride + j]) *
                       weight[((o * channels + c) * kh + i) * kw + j];
          expected[((n * outChannels + o) * oh + y) * ow + x] = sum;
        }
  using namespace conv2d;
  int64_t params[Count] = {address(in.data()),
                           address(weight.data()),
                           address(out.data()),
                           batch,
                           outChannels,
                           channels,
                           kh,
                           kw,
                           oh,
                           ow,
                           stride,
                           stride,
                           channels * h * w,
                           h * w,
                           w,
                           1,
                           channels * kh * kw,
                           kh * kw,
                           kw,
                           1,
                           outChannels * oh * ow,
                           oh * ow,
                           ow,
                           1};
  expectEveryVariant(conv2dContraction, params, out, expected);
}

// q, k, v and out as [B, L, H·D] with heads interleaved; the key and value
// rows of a batch are further apart than they need to be (padding).
TEST_F(Ukernel, AttentionEqualsSoftmaxOfScoresTimesValues) {
  const int64_t batch = r.size(1, 2), heads = r.size(1, 3),
                queries = r.size(1, 230), keys = r.size(1, 600),
                depth = r.size(1, 80), width = r.size(1, 70);
  SCOPED_TRACE(std::to_string(batch) + "x" + std::to_string(heads) + " " +
               std::to_string(queries) + "x" + std::to_string(keys) + " " +
               std::to_string(depth) + "/" + std::to_string(width));
  const float scale = 1.0f / std::sqrt(float(depth));
  const int64_t pad = r.size(0, 3);
  std::vector<float> q = r.values(batch * queries * heads * depth),
                     k = r.values(batch * (keys + pad) * heads * depth),
                     v = r.values(batch * (keys + pad) * heads * width),
                     out(batch * queries * heads * width, 0.0f);
  std::vector<double> expected(out.size());
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < queries; ++i) {
        std::vector<double> scores(keys);
        double maximum = -INFINITY, total = 0;
        for (int64_t j = 0; j < keys; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < depth; ++d)
            dot += double(q[((b * queries + i) * heads + h) * depth + d]) *
                   k[((b * (keys + pad) + j) * heads + h) * depth + d];
          scores[j] = dot * scale;
          maximum = std::max(maximum, scores[j]);
        }
        for (double &s : scores)
          total += s = std::exp(s - maximum);
        for (int64_t e = 0; e < width; ++e) {
          double sum = 0;
          for (int64_t j = 0; j < keys; ++j)
            sum +=
                scores[j] * v[((b * (keys + pad) + j) * heads + h) * width + e];
          expected[((b * queries + i) * heads + h) * width + e] = sum / total;
        }
      }
  using namespace attention;
  int64_t params[Count] = {address(q.data()),
                           address(k.data()),
                           address(v.data()),
                           address(out.data()),
                           batch,
                           heads,
                           queries,
                           keys,
                           depth,
                           width,
                           std::bit_cast<uint32_t>(scale),
                           queries * heads * depth,
                           heads * depth,
                           depth,
                           1,
                           (keys + pad) * heads * depth,
                           heads * depth,
                           depth,
                           1,
                           (keys + pad) * heads * width,
                           heads * width,
                           width,
                           1,
                           queries * heads * width,
                           heads * width,
                           width,
                           1};
  expectEveryVariant(
      [&](ThreadPool &pool, const MicroKernel &micro) {
        attentionUkernel(&pool, params, micro);
      },
      out, expected);
}

} // namespace
} // namespace avila::cpu
