//===- SafetensorsWriter.cpp - Writing safetensors files ------------------===//

#include "runtime/weights/SafetensorsWriter.h"
#include "runtime/base/Error.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace avila {

void writeSafetensors(const std::filesystem::path &path,
                      std::span<const TensorEntry> tensors,
                      const std::map<std::string, std::string> &metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty())
    header["__metadata__"] = metadata;
  uint64_t offset = 0;
  for (const TensorEntry &entry : tensors) {
    if (entry.name == "__metadata__" || header.contains(entry.name))
      fail("cannot write tensor '" + entry.name + "' to " + path.string() +
           ": the name is taken");
    const uint64_t bytes = entry.bytes.size();
    if (bytes != uint64_t(entry.numElements()) * dtypeSize(entry.dtype))
      fail("tensor '" + entry.name + "' has " + std::to_string(bytes) +
           " bytes, not those of " + dtypeName(entry.dtype) + " " +
           shapeToString(entry.shape));
    header[entry.name] = {{"dtype", dtypeName(entry.dtype)},
                          {"shape", entry.shape},
                          {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  // Padded so that the data, and every 8-byte value in it, stays aligned.
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');
  std::ofstream out(path, std::ios::binary);
  const uint64_t length = text.size();
  out.write(reinterpret_cast<const char *>(&length), sizeof(length));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const TensorEntry &entry : tensors)
    out.write(reinterpret_cast<const char *>(entry.bytes.data()),
              static_cast<std::streamsize>(entry.bytes.size()));
  if (!out)
    fail("cannot write " + path.string());
}

} // namespace avila
