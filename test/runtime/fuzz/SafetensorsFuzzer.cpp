//===- SafetensorsFuzzer.cpp - libFuzzer target for the header parser -----===//

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::span<const std::byte> file(reinterpret_cast<const std::byte *>(data),
                                  size);
  try {
    avila::SafetensorsIndex index = avila::parseSafetensors(file, "input");
    for (const auto &[name, entry] : index.tensors)
      if (entry.dtype == avila::DType::F32 ||
          entry.dtype == avila::DType::F16 || entry.dtype == avila::DType::BF16)
        (void)avila::readFloats(entry);
  } catch (const avila::Error &) {
  }
  return 0;
}
