//===- DeviceFlag.h - The benches' --device option ----------------*- C++
//-*-===//
//
// The benches take positional arguments; `--device <name>` may stand
// anywhere among them and names where the artifact runs, as avila-run's
// option does.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_BENCH_DEVICEFLAG_H
#define AVILA_BENCH_DEVICEFLAG_H

#include <string>

namespace avila {

/// Removes `--device <name>` from the arguments and returns the name, or
/// "auto" when it is absent. Throws avila::Error when the name is missing.
std::string takeDeviceFlag(int &argc, char **argv);

} // namespace avila

#endif // AVILA_BENCH_DEVICEFLAG_H
