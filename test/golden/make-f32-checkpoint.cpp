//===- make-f32-checkpoint.cpp - An F32 copy of a safetensors file --------===//
//
//   make-f32-checkpoint <in.safetensors> <out.safetensors> [--legacy-text-keys]
//
// Writes every float tensor of the input as F32 (same values), like the fp32
// single files most users download, so the golden tests can load one. With
// --legacy-text-keys the text encoder's keys lose their `text_model.` level,
// as in SD 1.x files written by older tools.
//
//===----------------------------------------------------------------------===//

#include "runtime/base/Error.h"
#include "runtime/weights/Safetensors.h"
#include "runtime/weights/SafetensorsWriter.h"

#include <cstdio>

int main(int argc, char **argv) {
  const bool legacy = argc == 4 && std::string(argv[3]) == "--legacy-text-keys";
  if (argc != 3 && !legacy) {
    std::fprintf(
        stderr, "usage: make-f32-checkpoint <in> <out> [--legacy-text-keys]\n");
    return 2;
  }
  const std::string level = "cond_stage_model.transformer.text_model.";
  try {
    avila::SafetensorsFile input(argv[1]);
    // Reserved: the entries point into these vectors.
    std::vector<std::vector<float>> data;
    data.reserve(input.index().tensors.size());
    std::vector<avila::TensorEntry> entries;
    for (const auto &[name, entry] : input.index().tensors) {
      data.push_back(avila::readFloats(entry));
      const std::string key =
          legacy && name.starts_with(level)
              ? "cond_stage_model.transformer." + name.substr(level.size())
              : name;
      entries.push_back({key, avila::DType::F32, entry.shape,
                         std::as_bytes(std::span(data.back()))});
    }
    avila::writeSafetensors(argv[2], entries);
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "make-f32-checkpoint: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
