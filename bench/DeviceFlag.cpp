//===- DeviceFlag.cpp - The benches' --device option ----------------------===//

#include "bench/DeviceFlag.h"
#include "runtime/base/Error.h"

#include <algorithm>
#include <string_view>

namespace avila {

std::string takeDeviceFlag(int &argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) != "--device")
      continue;
    if (i + 1 >= argc)
      fail("--device needs a name: cpu, vulkan, vulkan:N or auto");
    std::string device = argv[i + 1];
    std::copy(argv + i + 2, argv + argc + 1, argv + i);
    argc -= 2;
    return device;
  }
  return "auto";
}

} // namespace avila
