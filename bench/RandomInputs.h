//===- RandomInputs.h - Seeded inputs for any entry point ---------*- C++
//-*-===//

#ifndef AVILA_BENCH_RANDOMINPUTS_H
#define AVILA_BENCH_RANDOMINPUTS_H

#include "runtime/executor/Executable.h"

namespace avila {

/// Inputs of `shapes` for `entry`, drawn from `seed`: standard normal
/// floats (latents, images, contexts), except that a rank-1 float input is
/// a timestep per batch entry (a whole number in [0, 1000), 500 + 250 n
/// rounded, n drawn as the other floats are); ids uniform
/// below the entry's id limit (the CLIP vocabulary, 49408, without one).
/// Throws avila::Error when the count of shapes is not the entry's.
std::vector<HostTensor>
randomInputs(const artifact::EntryPoint &entry,
             const std::vector<std::vector<int64_t>> &shapes, uint32_t seed);

} // namespace avila

#endif // AVILA_BENCH_RANDOMINPUTS_H
