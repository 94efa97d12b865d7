//===- DeviceFlag.h - The benches' options -----------------------*- C++
//-*-===//
//
// The benches take positional arguments; options such as `--device <name>`
// (where the artifact runs, as avila-run's option does) may stand anywhere
// among them.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_BENCH_DEVICEFLAG_H
#define AVILA_BENCH_DEVICEFLAG_H

#include <string>
#include <string_view>

namespace avila {

/// Removes `flag <value>` from the arguments and returns the value, or
/// `fallback` when the flag is absent. Throws avila::Error when the value is
/// missing; `expected` says what it should be.
std::string takeOption(int &argc, char **argv, std::string_view flag,
                       std::string fallback, std::string_view expected);

/// `--device <name>`, "auto" when absent.
std::string takeDeviceFlag(int &argc, char **argv);

} // namespace avila

#endif // AVILA_BENCH_DEVICEFLAG_H
