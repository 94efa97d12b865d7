//===- HostTensors.h - Interpreter tensors for the executor -----*- C++ -*-===//
//
// What a kernel case's inputs and results become on their way to a device
// or into a recording: f32 values, or i32 ids.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TEST_KERNELS_HOSTTENSORS_H
#define AVILA_TEST_KERNELS_HOSTTENSORS_H

#include "compiler/interpreter/Interpreter.h"
#include "runtime/executor/Executable.h"

namespace avila::test {

/// `tensor`'s values moved into a host tensor.
inline HostTensor toHostTensor(interp::Tensor &&tensor) {
  HostTensor host;
  host.shape = tensor.shape;
  if (interp::isFloat(tensor.elementType)) {
    host.floats = std::move(tensor.floats);
  } else {
    host.elementType = artifact::ElementType::I32;
    host.ids.assign(tensor.ints.begin(), tensor.ints.end());
  }
  return host;
}

} // namespace avila::test

#endif // AVILA_TEST_KERNELS_HOSTTENSORS_H
