//===- Base64.cpp - Images in JSON ----------------------------------------===//

#include "server/Base64.h"

#include <cctype>

namespace avila::server {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int valueOf(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

} // namespace

std::string encodeBase64(std::span<const uint8_t> bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t left = bytes.size() - i;
    const uint32_t group = uint32_t(bytes[i]) << 16 |
                           (left > 1 ? uint32_t(bytes[i + 1]) << 8 : 0) |
                           (left > 2 ? bytes[i + 2] : 0);
    text += kAlphabet[group >> 18 & 63];
    text += kAlphabet[group >> 12 & 63];
    text += left > 1 ? kAlphabet[group >> 6 & 63] : '=';
    text += left > 2 ? kAlphabet[group & 63] : '=';
  }
  return text;
}

std::optional<std::vector<uint8_t>> decodeBase64(std::string_view text) {
  if (text.starts_with("data:")) {
    const size_t comma = text.find(',');
    if (comma == std::string_view::npos ||
        !text.substr(0, comma).ends_with(";base64"))
      return std::nullopt;
    text.remove_prefix(comma + 1);
  }
  std::vector<uint8_t> bytes;
  bytes.reserve(text.size() / 4 * 3);
  uint32_t group = 0;
  int count = 0, padding = 0;
  bool ended = false; // a padded group ends the data
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)))
      continue;
    if (ended)
      return std::nullopt;
    if (c == '=') {
      ++padding;
      group <<= 6;
    } else {
      const int value = valueOf(c);
      if (value < 0 || padding)
        return std::nullopt;
      group = group << 6 | uint32_t(value);
    }
    if (++count == 4) {
      if (padding > 2)
        return std::nullopt;
      bytes.push_back(uint8_t(group >> 16));
      if (padding < 2)
        bytes.push_back(uint8_t(group >> 8));
      if (padding < 1)
        bytes.push_back(uint8_t(group));
      group = 0;
      count = 0;
      ended = padding > 0;
    }
  }
  if (count != 0 || bytes.empty())
    return std::nullopt;
  return bytes;
}

} // namespace avila::server
