//===- ImageTest.cpp - Decoding, resizing and PNG text chunks -------------===//

#include "runtime/image/Image.h"
#include "runtime/image/Png.h"

#include "runtime/base/Error.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace avila {
namespace {

namespace fs = std::filesystem;
const fs::path kImages = fs::path(AVILA_SHARED_DIR) / "data/images";

TEST(Image, DecodesPngAndJpeg) {
  const Image png = readImage(kImages / "astronaut.png");
  EXPECT_GT(png.width, 0);
  EXPECT_EQ(png.rgb.size(), size_t(png.width) * png.height * 3);
  const Image jpeg = readImage(kImages / "rocket.jpg");
  EXPECT_EQ(jpeg.rgb.size(), size_t(jpeg.width) * jpeg.height * 3);
}

TEST(Image, RefusesWhatIsNotAnImage) {
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_THROW(decodeImage(text, "hello.txt"), Error);
  EXPECT_THROW(decodeImage({}, "empty"), Error);
  // A real PNG cut short.
  std::vector<uint8_t> png = encodePng({4, 4, std::vector<uint8_t>(48, 7)}, {});
  png.resize(png.size() / 2);
  EXPECT_THROW(decodeImage(png, "cut.png"), Error);
  EXPECT_THROW(readImage("/nonexistent.png"), Error);
}

TEST(Image, ResizesAndConvertsToTheNetworkRange) {
  Image image{2, 1, {0, 0, 0, 255, 255, 255}};
  const std::vector<float> tensor = imageToTensor(image);
  EXPECT_EQ(tensor, (std::vector<float>{-1, 1, -1, 1, -1, 1}));
  const Image big = resizeImage(image, 8, 4);
  EXPECT_EQ(big.width, 8);
  EXPECT_EQ(big.rgb.size(), 8u * 4 * 3);
  EXPECT_EQ(big.rgb[0], 0);
  EXPECT_EQ(big.rgb.back(), 255);
  // Planes R, G, B of two pixels; clamped to [0, 1] and rounded.
  const std::vector<float> planes = {0.0f, 1.0f, 0.5f, 2.0f, -1.0f, 0.2f};
  EXPECT_EQ(tensorToImage(planes, 2, 1).rgb,
            (std::vector<uint8_t>{0, 128, 0, 255, 255, 51}));
}

TEST(Png, TextChunksRoundTripIncludingUnicode) {
  const fs::path path = fs::temp_directory_path() /
                        ("avila-png-" + std::to_string(getpid()) + ".png");
  const Image image{3, 2, std::vector<uint8_t>(18, 200)};
  const std::map<std::string, std::string> text = {
      {"parameters", "a café 🚀\nSteps: 20, Sampler: Euler a"},
      {"Software", "avila"}};
  writePng(path, image, text);
  EXPECT_EQ(readPngText(path), text);
  EXPECT_EQ(readImage(path).rgb, image.rgb);
  fs::remove(path);
  EXPECT_THROW(readPngText(kImages / "rocket.jpg"), Error);
}

} // namespace
} // namespace avila
