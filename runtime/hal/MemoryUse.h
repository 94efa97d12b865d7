//===- MemoryUse.h - Bytes a device has allocated, now and at most -*- C++
//-*-===//
//
// Every buffer a device allocates counts here from its allocation to its
// destruction, so the peak is the most device memory an entry point's
// weights, arena, inputs and outputs held at once (what a GPU must have free
// for a model; the staging memory of uploads and the driver's own are not
// counted). Buffers are allocated and freed by one thread at a time, as the
// executor runs one entry point at a time.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_HAL_MEMORYUSE_H
#define AVILA_RUNTIME_HAL_MEMORYUSE_H

#include <algorithm>
#include <cstdint>

namespace avila::hal {

class MemoryUse {
public:
  void allocated(int64_t bytes) {
    live += bytes;
    highest = std::max(highest, live);
  }
  void released(int64_t bytes) { live -= bytes; }

  /// Bytes held by buffers alive now.
  int64_t current() const { return live; }
  /// The most bytes held at once since the device opened.
  int64_t peak() const { return highest; }

private:
  int64_t live = 0;
  int64_t highest = 0;
};

} // namespace avila::hal

#endif // AVILA_RUNTIME_HAL_MEMORYUSE_H
