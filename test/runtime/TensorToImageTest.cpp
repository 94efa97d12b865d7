//===- TensorToImageTest.cpp - Network outputs to 8 bits, every float -----===//
//
// Built with UBSan in Image.cpp itself: converting NaN to an integer is
// undefined, and on x86 it happens to read as 0, so only the sanitizer can
// tell a defined conversion from a lucky one.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/Image.h"

#include <gtest/gtest.h>

#include <limits>

namespace avila {
namespace {

TEST(TensorToImage, ClampsAndRoundsToEightBits) {
  // Planes R, G, B of two pixels.
  const std::vector<float> planes = {0.0f, 1.0f, 0.5f, 2.0f, -1.0f, 0.2f};
  EXPECT_EQ(tensorToImage(planes, 2, 1).rgb,
            (std::vector<uint8_t>{0, 128, 0, 255, 255, 51}));
}

TEST(TensorToImage, NaNIsBlackAndInfinitiesClamp) {
  constexpr float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // One plane per channel, three pixels each.
  const std::vector<float> planes = {nan,
                                     -nan,
                                     inf, //
                                     -inf,
                                     1e30f,
                                     -1e30f, //
                                     std::numeric_limits<float>::max(),
                                     std::numeric_limits<float>::lowest(),
                                     std::numeric_limits<float>::denorm_min()};
  EXPECT_EQ(tensorToImage(planes, 3, 1).rgb,
            (std::vector<uint8_t>{0, 0, 255, 0, 255, 0, 255, 0, 0}));
}

} // namespace
} // namespace avila
