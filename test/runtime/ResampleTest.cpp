//===- ResampleTest.cpp - Pillow's resize and A1111's resize modes --------===//
//
// Expected pixels are worked out by hand from Pillow's rules (weights at
// i - centre + 0.5, normalized; 8-bit rounding after each pass), and the
// golden init image is Pillow's own bicubic resize of the photo.
//
//===----------------------------------------------------------------------===//

#include "runtime/image/ResizeMode.h"

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"

#include <gtest/gtest.h>

#include <cmath>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kShared = AVILA_SHARED_DIR;

// A grey image from one value per pixel, row-major.
Image grey(int width, int height, const std::vector<uint8_t> &values) {
  Image image{width, height, {}};
  for (uint8_t value : values)
    image.rgb.insert(image.rgb.end(), {value, value, value});
  return image;
}

// The red channel, row-major (the tests' images are grey).
std::vector<int> red(const Image &image) {
  std::vector<int> values;
  for (size_t i = 0; i < image.rgb.size(); i += 3)
    values.push_back(image.rgb[i]);
  return values;
}

TEST(Resample, SameSizeIsTheSameImage) {
  const Image image{2, 1, {1, 2, 3, 4, 5, 6}};
  for (ResizeFilter filter : {ResizeFilter::Lanczos, ResizeFilter::Bicubic})
    EXPECT_EQ(resample(image, 2, 1, filter).rgb, image.rgb);
}

// Upscaling 2 → 4: output 0 has its centre at 0.25 and reads pixels 0 and 1
// at distances 0.25 and 1.25; bicubic weights 0.8671875 and -0.0703125,
// normalized 1.0882 and -0.0882: 100·1.0882 − 200·0.0882 = 91.2.
TEST(Resample, BicubicUpscaleFiltersTheEightBitValues) {
  EXPECT_EQ(red(resample(grey(2, 1, {100, 200}), 4, 1, ResizeFilter::Bicubic)),
            (std::vector<int>{91, 121, 179, 209}));
  // Lanczos: sinc(d)·sinc(d/3) at 0.25 and 1.25 is 0.8901 and -0.1329.
  EXPECT_EQ(red(resample(grey(2, 1, {100, 200}), 4, 1, ResizeFilter::Lanczos)),
            (std::vector<int>{82, 123, 177, 218}));
  // The same down a column.
  EXPECT_EQ(red(resample(grey(1, 2, {100, 200}), 1, 4, ResizeFilter::Bicubic)),
            (std::vector<int>{91, 121, 179, 209}));
}

// Downscaling 4 → 2 widens the filter by the scale (support 4): output 0
// (centre 1) reads all four pixels at (i − 1 + 0.5) / 2 = −0.25, 0.25, 0.75,
// 1.25, weights 0.867, 0.867, 0.227, −0.070: 66.5625 / 1.890625 = 35.2.
TEST(Resample, DownscaleWidensTheFilter) {
  EXPECT_EQ(
      red(resample(grey(4, 1, {0, 60, 120, 180}), 2, 1, ResizeFilter::Bicubic)),
      (std::vector<int>{35, 145}));
}

// Each pass is rounded and clipped to 8 bits: the horizontal pass turns row
// [0, 255] into [0, 53, 202, 255] (−22.5 clipped to 0), and the vertical pass
// filters those. Unclipped, the top left's lower neighbour would be
// 0.793·(−22.5) + 0.207·277.5 = 39.6 instead of 0.207·255 = 52.8.
TEST(Resample, EachPassRoundsAndClipsToEightBits) {
  EXPECT_EQ(
      red(resample(grey(2, 2, {0, 255, 255, 0}), 4, 4, ResizeFilter::Bicubic)),
      (std::vector<int>{0, 40, 215, 255,  //
                        53, 84, 171, 202, //
                        202, 171, 84, 53, //
                        255, 215, 40, 0}));
}

// A zero-height box at the top edge: every output row is centred on y = 0
// and reads rows 0 and 1 at 0.5 and 1.5 (weights 1.125 and −0.125).
TEST(Resample, ZeroHeightBoxSpreadsTheEdgeRow) {
  const Image image = grey(2, 2, {80, 80, 160, 160});
  EXPECT_EQ(red(resample(image, 2, 3, ResizeFilter::Bicubic, {0, 0, 2, 0})),
            (std::vector<int>(6, 70)));
  EXPECT_EQ(red(resample(image, 2, 3, ResizeFilter::Bicubic, {0, 2, 2, 2})),
            (std::vector<int>(6, 170)));
}

TEST(Resample, RefusesEmptySizes) {
  EXPECT_THROW(resample(grey(1, 1, {0}), 0, 4, ResizeFilter::Lanczos), Error);
}

// The golden init image is Pillow's bicubic resize of the photo to 128×128:
// reproduced exactly.
TEST(Resample, ReproducesTheGoldenInitImage) {
  const SafetensorsFile cases(kShared / "golden/tiny-sd/cases.safetensors");
  const std::vector<float> golden = readFloats(*cases.find("vae.encode.image"));
  const std::vector<float> ours =
      imageToTensor(resample(readImage(kShared / "data/images/astronaut.png"),
                             128, 128, ResizeFilter::Bicubic));
  ASSERT_EQ(ours.size(), golden.size());
  float worst = 0;
  for (size_t i = 0; i < ours.size(); ++i)
    worst = std::max(worst, std::fabs(ours[i] - golden[i]));
  EXPECT_EQ(worst, 0.0f);
}

TEST(ResizeMode, JustResizeStretches) {
  const Image image = grey(4, 1, {0, 60, 120, 180});
  EXPECT_EQ(
      resizeImage(image, 2, 2, ResizeMode::Just, ResizeFilter::Bicubic).rgb,
      resample(image, 2, 2, ResizeFilter::Bicubic).rgb);
}

// 4×2 into 2×2: scaled to cover (height 2 → width 4, unchanged), centred at
// x = 1 − 2 = −1: the middle two columns remain.
TEST(ResizeMode, CropKeepsTheCentre) {
  const Image image = grey(4, 2, {10, 20, 30, 40, 50, 60, 70, 80});
  EXPECT_EQ(
      red(resizeImage(image, 2, 2, ResizeMode::Crop, ResizeFilter::Lanczos)),
      (std::vector<int>{20, 30, 60, 70}));
  // Tall: 2×4 into 2×2 keeps the middle rows.
  const Image tall = grey(2, 4, {10, 20, 30, 40, 50, 60, 70, 80});
  EXPECT_EQ(
      red(resizeImage(tall, 2, 2, ResizeMode::Crop, ResizeFilter::Lanczos)),
      (std::vector<int>{30, 40, 50, 60}));
}

// 4×2 into 4×4: scaled to fit (unchanged), centred at y = 1; the one-row
// bands above and below stretch the edge rows: 1.125·80 − 0.125·160 = 70
// and −0.125·80 + 1.125·160 = 170.
TEST(ResizeMode, FillStretchesTheEdgesIntoTheBands) {
  const Image wide = grey(4, 2,
                          std::vector<uint8_t>{80, 80, 80, 80, //
                                               160, 160, 160, 160});
  EXPECT_EQ(
      red(resizeImage(wide, 4, 4, ResizeMode::Fill, ResizeFilter::Lanczos)),
      (std::vector<int>{70, 70, 70, 70,     //
                        80, 80, 80, 80,     //
                        160, 160, 160, 160, //
                        170, 170, 170, 170}));
  const Image tall = grey(2, 4, {80, 160, 80, 160, 80, 160, 80, 160});
  EXPECT_EQ(
      red(resizeImage(tall, 4, 4, ResizeMode::Fill, ResizeFilter::Lanczos)),
      (std::vector<int>{70, 80, 160, 170, //
                        70, 80, 160, 170, //
                        70, 80, 160, 170, //
                        70, 80, 160, 170}));
}

TEST(ResizeMode, RefusesToScaleAnExtremeImageWithoutBound) {
  try {
    resizeImage(grey(1, 1000, std::vector<uint8_t>(1000, 0)), 512, 512,
                ResizeMode::Crop, ResizeFilter::Lanczos);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(),
                 "cannot fit a 1x1000 image to 512x512: it would first be "
                 "scaled to 512x512000 (limit 16384 a side)");
  }
}

TEST(ResizeMode, NamesAndNumbers) {
  ResizeMode mode{};
  ResizeFilter filter{};
  for (const auto &[name, expected] : {std::pair{"just", ResizeMode::Just},
                                       {"0", ResizeMode::Just},
                                       {"crop", ResizeMode::Crop},
                                       {"1", ResizeMode::Crop},
                                       {"fill", ResizeMode::Fill},
                                       {"2", ResizeMode::Fill}}) {
    ASSERT_TRUE(parseResizeMode(name, mode)) << name;
    EXPECT_EQ(mode, expected) << name;
  }
  EXPECT_FALSE(parseResizeMode("3", mode));
  ASSERT_TRUE(parseResizeFilter("bicubic", filter));
  EXPECT_EQ(filter, ResizeFilter::Bicubic);
  ASSERT_TRUE(parseResizeFilter("lanczos", filter));
  EXPECT_EQ(filter, ResizeFilter::Lanczos);
  EXPECT_FALSE(parseResizeFilter("nearest", filter));
}

} // namespace
} // namespace avila
