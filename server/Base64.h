//===- Base64.h - Images in JSON ----------------------------------*-
// C++-*-===//

#ifndef AVILA_SERVER_BASE64_H
#define AVILA_SERVER_BASE64_H

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace avila::server {

std::string encodeBase64(std::span<const uint8_t> bytes);
/// Standard base64 with padding; a "data:...;base64," prefix and
/// whitespace are allowed. nullopt for anything else.
std::optional<std::vector<uint8_t>> decodeBase64(std::string_view text);

} // namespace avila::server

#endif // AVILA_SERVER_BASE64_H
