//===- SafetensorsWriter.h - Writing safetensors files ----------*- C++ -*-===//
//
// The writer beside the reader (Safetensors.h): tools that save tensors for
// another tool of the project to read back write them here, in the format
// the reader checks.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_WEIGHTS_SAFETENSORSWRITER_H
#define AVILA_RUNTIME_WEIGHTS_SAFETENSORSWRITER_H

#include "runtime/weights/Safetensors.h"

#include <filesystem>
#include <map>
#include <span>
#include <string>

namespace avila {

/// Writes `tensors` (each entry's bytes hold its dtype × shape values) and
/// `metadata` to `path`. Throws avila::Error for duplicate names, bytes that
/// do not match an entry's dtype and shape, or a file it cannot write.
void writeSafetensors(const std::filesystem::path &path,
                      std::span<const TensorEntry> tensors,
                      const std::map<std::string, std::string> &metadata = {});

} // namespace avila

#endif // AVILA_RUNTIME_WEIGHTS_SAFETENSORSWRITER_H
