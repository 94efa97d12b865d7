//===- Safetensors.h - Reading safetensors files -----------------*- C++
//-*-===//
//
// The format: an 8-byte little-endian header length N, N bytes of JSON mapping
// tensor names to {dtype, shape, data_offsets}, then the tensor bytes. Every
// field is untrusted: the parser checks the header length against the file,
// each dtype, shape and offset pair, that dtype × shape matches the byte
// range, and that no two ranges overlap, before any tensor is read.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_WEIGHTS_SAFETENSORS_H
#define AVILA_RUNTIME_WEIGHTS_SAFETENSORS_H

#include "runtime/weights/MappedFile.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace avila {

enum class DType {
  F64,
  F32,
  F16,
  BF16,
  F8_E4M3,
  F8_E5M2,
  I64,
  I32,
  I16,
  I8,
  U64,
  U32,
  U16,
  U8,
  Bool
};

const char *dtypeName(DType dtype);
size_t dtypeSize(DType dtype);

struct TensorEntry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  std::span<const std::byte> bytes;

  int64_t numElements() const;
};

/// "[320, 4, 3, 3]".
std::string shapeToString(const std::vector<int64_t> &shape);

/// The tensors of one safetensors file, by name. Entries point into the
/// bytes they were parsed from.
struct SafetensorsIndex {
  std::map<std::string, TensorEntry, std::less<>> tensors;
  std::map<std::string, std::string> metadata;
};

/// Largest header accepted: real headers are at most a few hundred KiB.
constexpr uint64_t kMaxSafetensorsHeader = uint64_t{100} << 20;

/// Parses and validates a whole safetensors file held in `file`. Throws
/// avila::Error naming the first problem; `what` names the file in messages.
SafetensorsIndex parseSafetensors(std::span<const std::byte> file,
                                  const std::string &what);

/// Converts a float tensor (F32, F16 or BF16) into `out`, which holds
/// exactly its element count; throws for other dtypes.
void readFloats(const TensorEntry &entry, std::span<float> out);
/// The same into a new vector.
std::vector<float> readFloats(const TensorEntry &entry);

/// A memory-mapped, validated safetensors file.
class SafetensorsFile {
public:
  /// Throws avila::Error for unreadable or malformed files.
  explicit SafetensorsFile(const std::filesystem::path &path);

  const SafetensorsIndex &index() const { return parsed; }
  const TensorEntry *find(std::string_view name) const;
  const std::filesystem::path &path() const { return file->path(); }

private:
  std::unique_ptr<MappedFile> file;
  SafetensorsIndex parsed;
};

} // namespace avila

#endif // AVILA_RUNTIME_WEIGHTS_SAFETENSORS_H
