//===- Sha256.cpp - SHA-256 digests as the A1111 web UI prints them -------===//

#include "runtime/base/Sha256.h"

#include "runtime/base/Error.h"

#include <openssl/evp.h>

#include <fstream>
#include <vector>

namespace avila {

struct Sha256::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> digest{
      EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Sha256::Sha256() : context(std::make_unique<Context>()) {
  if (!context->digest ||
      !EVP_DigestInit_ex(context->digest.get(), EVP_sha256(), nullptr))
    fail("cannot start a sha256 digest");
}

Sha256::~Sha256() = default;

void Sha256::update(std::span<const std::byte> bytes) {
  EVP_DigestUpdate(context->digest.get(), bytes.data(), bytes.size());
}

void Sha256::updateFromFile(const std::filesystem::path &file,
                            uint64_t offset) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream || !stream.seekg(static_cast<std::streamoff>(offset)))
    fail("cannot read " + file.string());
  std::vector<char> buffer(1 << 20);
  while (stream) {
    stream.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    update(std::as_bytes(
        std::span(buffer).first(static_cast<size_t>(stream.gcount()))));
  }
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_DigestFinal_ex(context->digest.get(), digest, &length);
  static const char *kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

} // namespace avila
