//===- Difference.h - How far a result is from its reference -----*- C++
//-*-===//
//
// The one measure behind every tolerance of the project (golden checks,
// kernels against the interpreter, ukernels against plain loops): relative
// L2, ‖actual − expected‖ / ‖expected‖, and the largest absolute difference,
// both accumulated in double. A NaN anywhere makes both NaN, so no
// comparison `< tolerance` can pass it; vectors of different lengths are
// infinitely far apart.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_DIFFERENCE_H
#define AVILA_RUNTIME_BASE_DIFFERENCE_H

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>

namespace avila {

struct Difference {
  double relativeL2 = std::numeric_limits<double>::infinity();
  double maxAbs = std::numeric_limits<double>::infinity();
};

/// `actual` and `expected` are contiguous ranges of numbers (std::vector,
/// std::span) of float or double.
template <typename Actual, typename Expected>
Difference difference(const Actual &actual, const Expected &expected) {
  Difference result;
  if (std::size(actual) != std::size(expected))
    return result;
  double squared = 0, reference = 0, maxAbs = 0;
  for (size_t i = 0; i < std::size(actual); ++i) {
    const double d = static_cast<double>(actual[i]) - expected[i];
    squared += d * d;
    reference += static_cast<double>(expected[i]) * expected[i];
    // Written so that a NaN difference replaces the maximum.
    if (!(std::fabs(d) <= maxAbs))
      maxAbs = std::fabs(d);
  }
  result.maxAbs = maxAbs;
  result.relativeL2 = std::sqrt(
      squared / std::max(reference, std::numeric_limits<double>::min()));
  return result;
}

/// Relative L2 alone, for the checks that need only it.
template <typename Actual, typename Expected>
double relativeL2(const Actual &actual, const Expected &expected) {
  return difference(actual, expected).relativeL2;
}

} // namespace avila

#endif // AVILA_RUNTIME_BASE_DIFFERENCE_H
