//===- DeviceFlag.cpp - The benches' options ------------------------------===//

#include "bench/DeviceFlag.h"
#include "runtime/base/Error.h"

#include <algorithm>
#include <string_view>

namespace avila {

std::string takeOption(int &argc, char **argv, std::string_view flag,
                       std::string fallback, std::string_view expected) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i] != flag)
      continue;
    if (i + 1 >= argc)
      fail(std::string(flag) + " needs " + std::string(expected));
    std::string value = argv[i + 1];
    std::copy(argv + i + 2, argv + argc + 1, argv + i);
    argc -= 2;
    return value;
  }
  return fallback;
}

std::string takeDeviceFlag(int &argc, char **argv) {
  return takeOption(argc, argv, "--device", "auto",
                    "a name: cpu, vulkan, vulkan:N or auto");
}

} // namespace avila
