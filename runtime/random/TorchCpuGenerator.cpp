//===- TorchCpuGenerator.cpp - torch's CPU generator, bit for bit ---------===//

#include "runtime/random/TorchCpuGenerator.h"

#include <bit>
#include <cmath>
#include <numbers>

// The vectorized path is a sequence of separately rounded float operations
// (AVX mul, add, and, ...); fusing any of them into an FMA changes bits.
#pragma clang fp contract(off)

namespace avila {

Mt19937::Mt19937(uint64_t seed) {
  state[0] = static_cast<uint32_t>(seed);
  for (uint32_t i = 1; i < state.size(); ++i)
    state[i] = 1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + i;
}

void Mt19937::twist() {
  constexpr int kN = 624, kM = 397;
  for (int i = 0; i < kN; ++i) {
    const uint32_t y =
        (state[i] & 0x80000000u) | (state[(i + 1) % kN] & 0x7fffffffu);
    state[i] = state[(i + kM) % kN] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
  }
  index = 0;
}

uint32_t Mt19937::next() {
  if (index >= static_cast<int>(state.size()))
    twist();
  uint32_t y = state[index++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

namespace {

// Julien Pommier's Cephes-derived log256_ps, one lane, for u in (0, 1], as
// torch's GCC build compiles it: a multiply whose only use is an add or a
// subtract becomes a fused multiply-add, the earlier multiply when both
// operands are products.
float cephesLog(float x) {
  uint32_t bits = std::bit_cast<uint32_t>(x);
  float e = static_cast<float>(static_cast<int32_t>(bits >> 23) - 0x7f);
  e = e + 1.0f;
  x = std::bit_cast<float>((bits & ~0x7f800000u) | 0x3f000000u);
  const bool small = x < 0.707106781186547524f;
  const float shifted = small ? x : 0.0f;
  x = x - 1.0f;
  e = e - (small ? 1.0f : 0.0f);
  x = x + shifted;
  const float z = x * x;
  float y = 7.0376836292E-2f;
  for (float coefficient :
       {-1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f,
        1.4249322787E-1f, -1.6668057665E-1f, 2.0000714765E-1f,
        -2.4999993993E-1f, 3.3333331174E-1f})
    y = std::fma(y, x, coefficient);
  y = y * x;
  y = std::fma(y, z, e * -2.12194440e-4f);
  y = std::fma(-z, 0.5f, y);
  x = x + y;
  return std::fma(e, 0.693359375f, x);
}

// sincos256_ps, one lane, for theta in [0, 2*pi).
void cephesSinCos(float x, float &sine, float &cosine) {
  uint32_t sinSign = std::bit_cast<uint32_t>(x) & 0x80000000u;
  x = std::fabs(x);
  float y = x * 1.27323954473516f;
  int32_t octant = static_cast<int32_t>(y);
  octant = (octant + 1) & ~1;
  y = static_cast<float>(octant);
  const uint32_t swapSinSign = static_cast<uint32_t>(octant & 4) << 29;
  const bool sinPolynomial = (octant & 2) == 0;
  x = std::fma(y, -0.78515625f, x);
  x = std::fma(y, -2.4187564849853515625e-4f, x);
  x = std::fma(y, -3.77489497744594108e-8f, x);
  const uint32_t cosSign = static_cast<uint32_t>(~(octant - 2) & 4) << 29;
  sinSign ^= swapSinSign;

  const float z = x * x;
  float c = std::fma(2.443315711809948E-005f, z, -1.388731625493765E-003f);
  c = std::fma(c, z, 4.166664568298827E-002f);
  c = c * z;
  c = std::fma(c, z, -(z * 0.5f));
  c = c + 1.0f;

  float s = std::fma(-1.9515295891E-4f, z, 8.3321608736E-3f);
  s = std::fma(s, z, -1.6666654611E-1f);
  s = s * z;
  s = std::fma(s, x, x);

  const float sinValue = sinPolynomial ? s : c;
  const float cosValue = sinPolynomial ? c : s;
  sine = std::bit_cast<float>(std::bit_cast<uint32_t>(sinValue) ^ sinSign);
  cosine = std::bit_cast<float>(std::bit_cast<uint32_t>(cosValue) ^ cosSign);
}

} // namespace

float TorchCpuGenerator::uniformFloat() {
  return static_cast<float>(engine.next() & 0xffffffu) * 0x1p-24f;
}

double TorchCpuGenerator::uniformDouble() {
  const uint64_t high = engine.next();
  const uint64_t bits = (high << 32) | engine.next();
  return static_cast<double>(bits & ((uint64_t(1) << 53) - 1)) * 0x1p-53;
}

double TorchCpuGenerator::normalDouble() {
  if (cachedNormal) {
    const double value = *cachedNormal;
    cachedNormal.reset();
    return value;
  }
  const double u1 = uniformDouble();
  const double u2 = uniformDouble();
  const double radius = std::sqrt(-2.0 * std::log1p(-u2));
  const double theta = 2.0 * std::numbers::pi * u1;
  cachedNormal = radius * std::sin(theta);
  return radius * std::cos(theta);
}

void TorchCpuGenerator::fillNormal16(float *values) {
  const float twoPi = static_cast<float>(2.0f * std::numbers::pi);
  for (int j = 0; j < 8; ++j) {
    const float u1 = 1.0f - values[j];
    const float radius = std::sqrt(-2.0f * cephesLog(u1));
    float sine, cosine;
    cephesSinCos(twoPi * values[j + 8], sine, cosine);
    values[j] = radius * cosine;
    values[j + 8] = radius * sine;
  }
}

std::vector<float> TorchCpuGenerator::randn(int64_t count) {
  std::vector<float> values(count);
  if (count < 16) {
    for (float &value : values)
      value = static_cast<float>(normalDouble());
    return values;
  }
  for (float &value : values)
    value = uniformFloat();
  for (int64_t i = 0; i + 16 <= count; i += 16)
    fillNormal16(values.data() + i);
  if (count % 16 != 0) {
    float *last = values.data() + count - 16;
    for (int i = 0; i < 16; ++i)
      last[i] = uniformFloat();
    fillNormal16(last);
  }
  return values;
}

} // namespace avila
