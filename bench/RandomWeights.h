//===- RandomWeights.h - Weights of the right shapes, no checkpoint -*- C++
//-*-===//

#ifndef AVILA_BENCH_RANDOMWEIGHTS_H
#define AVILA_BENCH_RANDOMWEIGHTS_H

#include "runtime/executor/Executable.h"

namespace avila {

/// Binds every manifest weight to uniform values with the variance
/// 1 / fan-in of a trained network (biases and norms 1), so activations
/// stay finite through the whole model; 860M values fill in seconds.
void bindRandomWeights(Executable &executable, uint32_t seed);

} // namespace avila

#endif // AVILA_BENCH_RANDOMWEIGHTS_H
