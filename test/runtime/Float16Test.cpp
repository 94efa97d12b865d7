//===- Float16Test.cpp - fp16 and bf16 conversions ------------------------===//

#include "runtime/base/Float16.h"

#include <gtest/gtest.h>

#include <cmath>

namespace avila {
namespace {

// Every one of the 65536 half values converts exactly as the compiler's
// _Float16 does (NaNs stay NaNs with their sign).
TEST(Float16, HalfToFloatIsExactForEveryValue) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const float expected = static_cast<float>(
        std::bit_cast<_Float16>(static_cast<uint16_t>(bits)));
    const float actual = halfBitsToFloat(static_cast<uint16_t>(bits));
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(actual)) << bits;
      EXPECT_EQ(std::signbit(actual), std::signbit(expected)) << bits;
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(actual),
                std::bit_cast<uint32_t>(expected))
          << "half bits " << bits;
    }
  }
}

TEST(Float16, RoundTripsAndRoundsToNearestEven) {
  for (uint32_t bits = 0; bits <= 0xffff; ++bits) {
    const float value = halfBitsToFloat(static_cast<uint16_t>(bits));
    if (!std::isnan(value))
      EXPECT_EQ(floatToHalfBits(value), bits);
  }
  EXPECT_EQ(roundToHalf(2049.0f), 2048.0f); // tie to even
  EXPECT_EQ(roundToHalf(2051.0f), 2052.0f); // tie to even
  EXPECT_EQ(roundToHalf(65520.0f), INFINITY);
}

TEST(BFloat16, RoundsToNearestEven) {
  EXPECT_EQ(roundToBFloat16(1.0f + 1.0f / 256), 1.0f);              // tie, even
  EXPECT_EQ(roundToBFloat16(1.0f + 3.0f / 256), 1.0f + 4.0f / 256); // tie, even
  EXPECT_EQ(roundToBFloat16(0.1f), 0.10009765625f);
  EXPECT_TRUE(std::isnan(roundToBFloat16(NAN)));
  EXPECT_EQ(roundToBFloat16(INFINITY), INFINITY);
  EXPECT_EQ(bfloat16BitsToFloat(0x3f80), 1.0f);
}

} // namespace
} // namespace avila
