//===- Float16.h - IEEE half and bfloat16 conversions ------------*- C++
//-*-===//
//
// Checkpoints and kernels store 16-bit floats; the host computes in float.
// Both narrowings round to nearest even, exactly as PyTorch's .half() and
// .bfloat16() do. bfloat16 is done by hand: Debian 12's libgcc lacks the
// __truncsfbf2 helper that __bf16 would call.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_FLOAT16_H
#define AVILA_RUNTIME_BASE_FLOAT16_H

#include <bit>
#include <cstdint>

namespace avila {

/// Exact for every input. Written with integer operations rather than a
/// _Float16 conversion (a libgcc call per value on x86 without F16C), so
/// that loops over whole tensors vectorize: loading an fp16 checkpoint is
/// memory-bound instead of call-bound.
inline float halfBitsToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = bits & 0x7c00u;
  const uint32_t magnitude = static_cast<uint32_t>(bits & 0x7fffu) << 13;
  // Normal numbers: rebias the exponent from 15 to 127.
  uint32_t result = magnitude + ((127 - 15) << 23);
  if (exponent == 0x7c00u) // infinity or NaN: exponent all ones
    result += (128 - 16) << 23;
  if (exponent == 0) { // zero or subnormal: let the FPU normalize
    const float normalized = std::bit_cast<float>(magnitude + (113u << 23)) -
                             std::bit_cast<float>(113u << 23);
    result = std::bit_cast<uint32_t>(normalized);
  }
  return std::bit_cast<float>(result | sign);
}

inline uint16_t floatToHalfBits(float value) {
  return std::bit_cast<uint16_t>(static_cast<_Float16>(value));
}

inline float bfloat16BitsToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

inline uint16_t floatToBFloat16Bits(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it a quiet NaN
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

/// The nearest half-precision value, as a float.
inline float roundToHalf(float value) {
  return static_cast<float>(static_cast<_Float16>(value));
}

/// The nearest bfloat16 value, as a float.
inline float roundToBFloat16(float value) {
  return bfloat16BitsToFloat(floatToBFloat16Bits(value));
}

} // namespace avila

#endif // AVILA_RUNTIME_BASE_FLOAT16_H
