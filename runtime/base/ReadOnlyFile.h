//===- ReadOnlyFile.h - Opening the files users name -------------*- C++
//-*-===//
//
// Every file a user names (artifact, checkpoint, tokenizer, prompt) is
// opened here, so that a directory, a device or a missing file is refused
// with the same message naming the path, and a file read whole is bounded.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_READONLYFILE_H
#define AVILA_RUNTIME_BASE_READONLYFILE_H

#include <cstddef>
#include <filesystem>
#include <string>

namespace avila {

/// A regular file opened for reading.
class ReadOnlyFile {
public:
  /// Throws avila::Error naming `path` when it cannot be opened, is a
  /// directory or is not a regular file.
  explicit ReadOnlyFile(const std::filesystem::path &path);
  ~ReadOnlyFile();
  ReadOnlyFile(const ReadOnlyFile &) = delete;
  ReadOnlyFile &operator=(const ReadOnlyFile &) = delete;

  int descriptor() const { return fd; }
  size_t size() const { return bytes; }

private:
  int fd = -1;
  size_t bytes = 0;
};

/// The whole of `path`; also refused when it holds more than `maxBytes`.
std::string readFile(const std::filesystem::path &path, size_t maxBytes);

} // namespace avila

#endif // AVILA_RUNTIME_BASE_READONLYFILE_H
