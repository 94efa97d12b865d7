//===- MappedFile.cpp - A read-only memory-mapped file --------------------===//

#include "runtime/weights/MappedFile.h"
#include "runtime/base/Error.h"
#include "runtime/base/ReadOnlyFile.h"

#include <cerrno>
#include <cstring>
#include <sys/mman.h>

namespace avila {

MappedFile::MappedFile(const std::filesystem::path &path) : filePath(path) {
  const ReadOnlyFile file(path);
  size = file.size();
  if (size > 0) {
    void *mapped =
        ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, file.descriptor(), 0);
    if (mapped == MAP_FAILED)
      fail("cannot map " + path.string() + ": " + std::strerror(errno));
    data = static_cast<const std::byte *>(mapped);
  }
}

MappedFile::~MappedFile() {
  if (data)
    ::munmap(const_cast<std::byte *>(data), size);
}

} // namespace avila
