//===- Buffer.cpp - Device memory of a known size -------------------------===//

#include "runtime/hal/Buffer.h"
#include "runtime/base/Error.h"

#include <vector>

namespace avila::hal {

bool rangeFits(int64_t offset, int64_t length, int64_t size) {
  return offset >= 0 && length >= 0 && offset <= size &&
         length <= size - offset;
}

Buffer::Buffer(int64_t size, std::string label)
    : byteSize(size), name(std::move(label)) {}

Buffer::~Buffer() {
  if (countedIn)
    countedIn->released(byteSize);
}

void Buffer::checkRange(const char *what, int64_t offset, size_t length) const {
  if (length > static_cast<size_t>(INT64_MAX) ||
      !rangeFits(offset, static_cast<int64_t>(length), byteSize))
    fail(std::string("cannot ") + what + " " + std::to_string(length) +
         " bytes at offset " + std::to_string(offset) + " of " + name + ", a " +
         std::to_string(byteSize) + "-byte buffer");
}

void Buffer::upload(int64_t offset, std::span<const std::byte> data) {
  checkRange("upload", offset, data.size());
  write(offset, data);
}

void Buffer::download(int64_t offset, std::span<std::byte> data) const {
  checkRange("download", offset, data.size());
  read(offset, data);
}

void Buffer::fill(const std::function<void(std::span<std::byte>)> &writeAll) {
  if (std::byte *mapped = mapping()) {
    writeAll({mapped, static_cast<size_t>(byteSize)});
    return;
  }
  std::vector<std::byte> staging(static_cast<size_t>(byteSize));
  writeAll(staging);
  write(0, staging);
}

} // namespace avila::hal
