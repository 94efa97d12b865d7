//===- MappedFile.h - A read-only memory-mapped file -------------*- C++
//-*-===//

#ifndef AVILA_RUNTIME_WEIGHTS_MAPPEDFILE_H
#define AVILA_RUNTIME_WEIGHTS_MAPPEDFILE_H

#include <cstddef>
#include <filesystem>
#include <span>

namespace avila {

/// Maps a whole file read-only; pages are read on first touch, so opening a
/// multi-gigabyte checkpoint costs nothing until its tensors are converted.
class MappedFile {
public:
  /// Throws avila::Error when the file cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path &path);
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;

  std::span<const std::byte> bytes() const { return {data, size}; }
  const std::filesystem::path &path() const { return filePath; }

private:
  std::filesystem::path filePath;
  const std::byte *data = nullptr;
  size_t size = 0;
};

} // namespace avila

#endif // AVILA_RUNTIME_WEIGHTS_MAPPEDFILE_H
