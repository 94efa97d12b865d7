//===- Sha256.h - SHA-256 digests as A1111 prints them -----------*- C++-*-===//
//
// Checkpoints and LoRA files are named in infotext and the API by their
// sha256 (A1111's hashes); one digest for both.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_SHA256_H
#define AVILA_RUNTIME_BASE_SHA256_H

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

namespace avila {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  void update(std::span<const std::byte> bytes);
  /// Adds the bytes of `file` from byte `offset` on; throws naming the file
  /// when it cannot be read.
  void updateFromFile(const std::filesystem::path &file, uint64_t offset = 0);
  /// The digest as 64 lowercase hex digits; ends the digest.
  std::string hex();

private:
  struct Context;
  std::unique_ptr<Context> context;
};

} // namespace avila

#endif // AVILA_RUNTIME_BASE_SHA256_H
