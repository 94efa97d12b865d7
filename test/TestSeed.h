//===- TestSeed.h - Fresh random seeds that can be replayed -----*- C++ -*-===//
//
// Tests that draw sizes and values at random take a fresh seed per run, so
// every run explores new inputs, and print it with any failure so that
// AVILA_TEST_SEED=<seed> replays exactly that run.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_TESTSEED_H
#define AVILA_TEST_TESTSEED_H

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace avila::test {

/// AVILA_TEST_SEED when it is set (a value that is not an unsigned 32-bit
/// number ends the program with a message), a fresh random seed otherwise.
inline unsigned testSeed() {
  const char *fixed = std::getenv("AVILA_TEST_SEED");
  if (!fixed)
    return std::random_device{}();
  char *end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(fixed, &end, 10);
  if (*fixed < '0' || *fixed > '9' || *end != '\0' || errno != 0 ||
      value > 0xffffffffull) {
    std::fprintf(stderr,
                 "error: AVILA_TEST_SEED=%s is not a seed (an unsigned 32-bit "
                 "decimal number)\n",
                 fixed);
    std::exit(2);
  }
  return static_cast<unsigned>(value);
}

/// The line that replays a run, for failure messages.
inline std::string replayHint(unsigned seed) {
  return "AVILA_TEST_SEED=" + std::to_string(seed);
}

} // namespace avila::test

#endif // AVILA_TEST_TESTSEED_H
