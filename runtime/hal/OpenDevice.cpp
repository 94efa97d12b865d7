//===- OpenDevice.cpp - The device that runs a target's code --------------===//

#include "runtime/hal/OpenDevice.h"
#include "runtime/base/Error.h"
#include "runtime/hal/cpu/CpuDevice.h"

namespace avila::hal {

std::unique_ptr<Device> openDevice(artifact::Target target,
                                   unsigned cpuThreads) {
  if (target == artifact::Target::X86)
    return std::make_unique<cpu::CpuDevice>(cpuThreads);
  fail(std::string("this runtime has no device that runs ") +
       targetName(target) + " artifacts");
}

} // namespace avila::hal
