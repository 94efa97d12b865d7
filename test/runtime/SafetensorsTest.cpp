//===- SafetensorsTest.cpp - The safetensors reader trusts nothing --------===//

#include "runtime/weights/Safetensors.h"
#include "runtime/base/Error.h"
#include "runtime/base/Float16.h"
#include "runtime/weights/SafetensorsWriter.h"

#include <gtest/gtest.h>

#include <cstring>

namespace avila {
namespace {

std::string file(const std::string &header, const std::string &data = "",
                 uint64_t claimedLength = UINT64_MAX) {
  const uint64_t length =
      claimedLength == UINT64_MAX ? header.size() : claimedLength;
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &length, 8);
  return bytes + header + data;
}

std::span<const std::byte> span(const std::string &bytes) {
  return {reinterpret_cast<const std::byte *>(bytes.data()), bytes.size()};
}

std::string parseError(const std::string &bytes) {
  try {
    parseSafetensors(span(bytes), "test.safetensors");
  } catch (const Error &error) {
    return error.what();
  }
  return "";
}

std::string bytesOf(const std::vector<uint16_t> &values) {
  return std::string(reinterpret_cast<const char *>(values.data()),
                     values.size() * 2);
}

TEST(Safetensors, ReadsFloatTypes) {
  const float f32[2] = {1.5f, -2.0f};
  const std::string data =
      std::string(reinterpret_cast<const char *>(f32), 8) +
      bytesOf({floatToHalfBits(0.5f), floatToHalfBits(-3.0f)}) +
      bytesOf({floatToBFloat16Bits(7.0f)});
  const std::string bytes = file(
      R"({"__metadata__":{"format":"pt"},
          "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
          "b":{"dtype":"F16","shape":[1,2],"data_offsets":[8,12]},
          "c":{"dtype":"BF16","shape":[],"data_offsets":[12,14]},
          "ids":{"dtype":"I64","shape":[0],"data_offsets":[14,14]}})",
      data);
  SafetensorsIndex index = parseSafetensors(span(bytes), "test");
  EXPECT_EQ(index.metadata["format"], "pt");
  ASSERT_EQ(index.tensors.size(), 4u);
  EXPECT_EQ(readFloats(index.tensors.at("a")), (std::vector<float>{1.5f, -2}));
  EXPECT_EQ(index.tensors.at("b").shape, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(readFloats(index.tensors.at("b")), (std::vector<float>{0.5f, -3}));
  EXPECT_EQ(readFloats(index.tensors.at("c")), (std::vector<float>{7}));
  try {
    readFloats(index.tensors.at("ids"));
    ADD_FAILURE() << "I64 read as floats";
  } catch (const Error &error) {
    EXPECT_NE(std::string(error.what()).find("has dtype I64"),
              std::string::npos);
  }
}

TEST(Safetensors, ReadsWhatTheWriterWrote) {
  const std::vector<float> floats = {1.5f, -2, 3};
  const std::vector<int32_t> ids = {7, -1};
  const TensorEntry entries[] = {
      {"x", DType::F32, {3, 1}, std::as_bytes(std::span(floats))},
      {"ids", DType::I32, {2}, std::as_bytes(std::span(ids))}};
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / "written.safetensors";
  writeSafetensors(path, entries, {{"case", "x"}});
  const SafetensorsFile file(path);
  EXPECT_EQ(file.index().metadata.at("case"), "x");
  ASSERT_TRUE(file.find("x"));
  EXPECT_EQ(file.find("x")->shape, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(readFloats(*file.find("x")), floats);
  ASSERT_TRUE(file.find("ids"));
  EXPECT_EQ(file.find("ids")->dtype, DType::I32);
  EXPECT_EQ(std::memcmp(file.find("ids")->bytes.data(), ids.data(), 8), 0);
}

TEST(Safetensors, WriterRefusesBytesThatDoNotMatch) {
  const std::vector<float> floats = {1.5f, -2, 3};
  const TensorEntry twice[] = {
      {"x", DType::F32, {3}, std::as_bytes(std::span(floats))},
      {"x", DType::F32, {3}, std::as_bytes(std::span(floats))}};
  const TensorEntry shortOf[] = {
      {"x", DType::F32, {4}, std::as_bytes(std::span(floats))}};
  const std::filesystem::path path =
      std::filesystem::path(::testing::TempDir()) / "refused.safetensors";
  EXPECT_THROW(writeSafetensors(path, twice), Error);
  try {
    writeSafetensors(path, shortOf);
    ADD_FAILURE() << "12 bytes written as 4 floats";
  } catch (const Error &error) {
    EXPECT_STREQ(error.what(), "tensor 'x' has 12 bytes, not those of F32 [4]");
  }
  EXPECT_THROW(writeSafetensors("/nonexistent/dir/x.safetensors", {}), Error);
}

struct Malformed {
  const char *name;
  std::string bytes;
  const char *message;
};

void PrintTo(const Malformed &malformed, std::ostream *os) {
  *os << malformed.name;
}

class MalformedFile : public ::testing::TestWithParam<Malformed> {};

TEST_P(MalformedFile, IsRejectedWithAClearMessage) {
  const std::string error = parseError(GetParam().bytes);
  EXPECT_NE(error.find(GetParam().message), std::string::npos)
      << "got: " << error;
}

const std::string kTensor =
    R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

INSTANTIATE_TEST_SUITE_P(
    Reader, MalformedFile,
    ::testing::Values(
        Malformed{"Empty", "", "shorter than its 8-byte header length"},
        Malformed{"FourBytes", "abcd", "shorter than its 8-byte header length"},
        Malformed{"TruncatedData", file(kTensor, "1234"),
                  "lie outside the 4 data bytes"},
        Malformed{"TruncatedHeader", file(kTensor).substr(0, 20),
                  "runs past the end of the 20-byte file (truncated?)"},
        Malformed{"HeaderBeyondFile", file("{}", "", 4096),
                  "runs past the end"},
        Malformed{"TwoGigabyteHeader", file("{}", "", uint64_t{2} << 30),
                  "header length 2147483648 exceeds the 104857600-byte limit"},
        Malformed{
            "OffsetsOutOfRange",
            file(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                 "12345678"),
            "lie outside the 8 data bytes"},
        Malformed{
            "OffsetsReversed",
            file(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})",
                 "12345678"),
            "lie outside"},
        Malformed{"Overlapping",
                  file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},
                           "b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       "12345678"),
                  "tensors 'a' and 'b' overlap"},
        Malformed{
            "UnknownDtype",
            file(R"({"t":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}})",
                 "12345678"),
            "unknown dtype 'F12'"},
        Malformed{
            "SizeMismatch",
            file(R"({"t":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})",
                 "12345678"),
            "F16 [2] needs 4 bytes but 8 are given"},
        Malformed{
            "NegativeDimension",
            file(R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                 "12345678"),
            "each shape entry must be a non-negative integer"},
        Malformed{
            "HugeShape",
            file(
                R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                "12345678"),
            "is too large"},
        Malformed{"MissingField",
                  file(R"({"t":{"dtype":"F32","shape":[2]}})", "12345678"),
                  "entry needs dtype, shape and data_offsets"},
        Malformed{"NotJson", file("{\"t\": [1, 2"), "not valid UTF-8 JSON"},
        Malformed{"NotUtf8", file("{\"\xff\xfe\": 1}"), "not valid UTF-8 JSON"},
        Malformed{"NotAnObject", file("[1, 2, 3]"), "must be a JSON object"},
        Malformed{"EntryNotAnObject", file(R"({"t": 5})"),
                  "entry must be an object"},
        Malformed{"ZipPickle", std::string("PK\x03\x04") + std::string(60, 'x'),
                  "PyTorch pickle checkpoint"},
        Malformed{"BarePickle",
                  std::string("\x80\x02}q\x00(X\x05", 8) + std::string(60, 'x'),
                  "PyTorch pickle checkpoint"}),
    [](const ::testing::TestParamInfo<Malformed> &info) {
      return std::string(info.param.name);
    });

} // namespace
} // namespace avila
