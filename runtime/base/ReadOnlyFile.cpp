//===- ReadOnlyFile.cpp - Opening the files users name --------------------===//

#include "runtime/base/ReadOnlyFile.h"
#include "runtime/base/Error.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace avila {

ReadOnlyFile::ReadOnlyFile(const std::filesystem::path &path) {
  // Non-blocking, so that a named pipe is refused instead of waiting for a
  // writer; reads of regular files do not care.
  fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    fail("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat info;
  const bool known = ::fstat(fd, &info) == 0;
  if (!known || !S_ISREG(info.st_mode)) {
    ::close(fd);
    fail(path.string() + (known && S_ISDIR(info.st_mode)
                              ? " is a directory, not a file"
                              : " is not a regular file"));
  }
  bytes = static_cast<size_t>(info.st_size);
}

ReadOnlyFile::~ReadOnlyFile() { ::close(fd); }

std::string readFile(const std::filesystem::path &path, size_t maxBytes) {
  const ReadOnlyFile file(path);
  if (file.size() > maxBytes)
    fail(path.string() + " has " + std::to_string(file.size()) +
         " bytes; at most " + std::to_string(maxBytes) + " are read");
  std::string text(file.size(), '\0');
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t read =
        ::read(file.descriptor(), text.data() + done, text.size() - done);
    if (read < 0 && errno == EINTR)
      continue;
    if (read < 0)
      fail("cannot read " + path.string() + ": " + std::strerror(errno));
    if (read == 0)
      fail(path.string() + " shrank while it was read");
    done += static_cast<size_t>(read);
  }
  return text;
}

} // namespace avila
