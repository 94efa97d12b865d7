//===- ImageTest.cpp - Decoding, resizing and PNG text chunks -------------===//

#include "runtime/image/Image.h"
#include "runtime/image/Png.h"

#include "runtime/base/Error.h"

#include <gtest/gtest.h>
#include <zlib.h>

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

TEST(Image, ConvertsToTheNetworkRange) {
  const Image image{2, 1, {0, 0, 0, 255, 255, 255}};
  EXPECT_EQ(imageToTensor(image), (std::vector<float>{-1, 1, -1, 1, -1, 1}));
}

TEST(Image, ADirectoryIsNamedAsOne) {
  try {
    readImage(kImages);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(std::string(error.what()),
              kImages.string() + " is a directory, not a file");
  }
}

// A valid 1×1 PNG whose header then claims 20000×20000: refused from the
// header, with the size, before anything is decoded or allocated.
TEST(Image, AnOversizedPngIsRefusedFromItsHeader) {
  std::vector<uint8_t> png = encodePng({1, 1, {1, 2, 3}}, {});
  ASSERT_EQ(std::string(png.begin() + 12, png.begin() + 16), "IHDR");
  for (size_t at : {16, 20}) {
    png[at] = 0;
    png[at + 1] = 0;
    png[at + 2] = 20000 >> 8;
    png[at + 3] = 20000 & 0xff;
  }
  const uint32_t crc = static_cast<uint32_t>(crc32(0, png.data() + 12, 17));
  for (int i = 0; i < 4; ++i)
    png[29 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
  try {
    decodeImage(png, "huge.png");
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(),
                 "huge.png: image too large (20000x20000, limit 16384 a side)");
  }
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
