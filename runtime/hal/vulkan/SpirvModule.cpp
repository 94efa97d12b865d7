//===- SpirvModule.cpp - What a kernel's SPIR-V module declares -----------===//

#include "runtime/hal/vulkan/SpirvModule.h"
#include "runtime/base/Error.h"

#include <cstring>

namespace avila::vulkan {

namespace {

constexpr size_t kHeaderWords = 5;
constexpr uint32_t kOpEntryPoint = 15;
constexpr uint32_t kExecutionModelGLCompute = 5;

} // namespace

std::vector<std::string> computeEntryPoints(std::span<const uint32_t> words) {
  std::vector<std::string> names;
  for (size_t at = kHeaderWords; at < words.size();) {
    // Each instruction's first word: its word count (high half) and opcode.
    const uint32_t count = words[at] >> 16, opcode = words[at] & 0xffff;
    if (count == 0 || count > words.size() - at)
      fail("malformed SPIR-V: the instruction at word " + std::to_string(at) +
           " claims " + std::to_string(count) + " words");
    // OpEntryPoint: model, function id, a NUL-terminated name, interfaces.
    if (opcode == kOpEntryPoint && count >= 4 &&
        words[at + 1] == kExecutionModelGLCompute) {
      const auto *text = reinterpret_cast<const char *>(&words[at + 3]);
      const size_t room = (count - 3) * sizeof(uint32_t);
      names.emplace_back(text, strnlen(text, room));
    }
    at += count;
  }
  return names;
}

} // namespace avila::vulkan
