//===- GatherIds.h - The rule for embedding ids -------------------*- C++
//-*-===//
//
// An id that indexes a table (a token id into the text encoder's vocabulary)
// must name one of its rows. The interpreter and the executor both refuse
// other ids, in these words, so that the oracle and the runtime behave
// alike; compiled kernels only clamp, to stay inside their buffers.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_BASE_GATHERIDS_H
#define AVILA_RUNTIME_BASE_GATHERIDS_H

#include <cstdint>
#include <optional>
#include <string>

namespace avila {

/// Why `id` cannot index a table of `rows` rows; nothing when it can.
inline std::optional<std::string> gatherIdProblem(int64_t id, int64_t rows) {
  if (id >= 0 && id < rows)
    return std::nullopt;
  return "gather id " + std::to_string(id) + " is out of range [0, " +
         std::to_string(rows) + ")";
}

} // namespace avila

#endif // AVILA_RUNTIME_BASE_GATHERIDS_H
