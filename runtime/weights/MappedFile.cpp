//===- MappedFile.cpp - A read-only memory-mapped file --------------------===//

#include "runtime/weights/MappedFile.h"
#include "runtime/base/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace avila {

MappedFile::MappedFile(const std::filesystem::path &path) : filePath(path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    fail("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    fail(path.string() + " is not a regular file");
  }
  size = static_cast<size_t>(info.st_size);
  if (size > 0) {
    void *mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapped == MAP_FAILED) {
      int error = errno;
      ::close(fd);
      fail("cannot map " + path.string() + ": " + std::strerror(error));
    }
    data = static_cast<const std::byte *>(mapped);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data)
    ::munmap(const_cast<std::byte *>(data), size);
}

} // namespace avila
