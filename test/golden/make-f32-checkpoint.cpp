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

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

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
    nlohmann::json header = nlohmann::json::object();
    std::vector<std::vector<float>> data;
    size_t offset = 0;
    for (const auto &[name, entry] : input.index().tensors) {
      data.push_back(avila::readFloats(entry));
      const size_t bytes = data.back().size() * sizeof(float);
      const std::string key =
          legacy && name.starts_with(level)
              ? "cond_stage_model.transformer." + name.substr(level.size())
              : name;
      header[key] = {{"dtype", "F32"},
                     {"shape", entry.shape},
                     {"data_offsets", {offset, offset + bytes}}};
      offset += bytes;
    }
    std::string text = header.dump();
    text.resize((text.size() + 7) / 8 * 8, ' ');
    std::ofstream out(argv[2], std::ios::binary);
    const uint64_t length = text.size();
    out.write(reinterpret_cast<const char *>(&length), sizeof(length));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto &values : data)
      out.write(reinterpret_cast<const char *>(values.data()),
                static_cast<std::streamsize>(values.size() * sizeof(float)));
    if (!out)
      avila::fail(std::string("cannot write ") + argv[2]);
  } catch (const avila::Error &error) {
    std::fprintf(stderr, "make-f32-checkpoint: error: %s\n", error.what());
    return 1;
  }
  return 0;
}
