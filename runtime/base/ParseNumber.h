//===- ParseNumber.h - A command-line number, strictly -----------*- C++-*-===//

#ifndef AVILA_RUNTIME_BASE_PARSENUMBER_H
#define AVILA_RUNTIME_BASE_PARSENUMBER_H

#include "runtime/base/Error.h"

#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>

namespace avila {

/// `text` as a T, all of it; throws avila::Error naming `flag` for trailing
/// characters, overflow, or a float that is not finite.
template <typename T>
T parseNumber(const std::string &flag, const std::string &text) {
  T value{};
  const char *end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || stop != end || text.empty())
    fail(flag + " expects a number, not '" + text + "'");
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value))
      fail(flag + " expects a finite number, not '" + text + "'");
  return value;
}

/// parseNumber, and within [low, high]; throws avila::Error naming `flag`.
template <typename T>
T parseBounded(const std::string &flag, const std::string &text, T low,
               T high) {
  const T value = parseNumber<T>(flag, text);
  if (value < low || value > high)
    fail(flag + " must be between " + std::to_string(low) + " and " +
         std::to_string(high) + ", not " + text);
  return value;
}

} // namespace avila

#endif // AVILA_RUNTIME_BASE_PARSENUMBER_H
