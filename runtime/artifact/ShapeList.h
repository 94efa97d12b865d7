//===- ShapeList.h - Input shapes written as 2x4x64x64,2,2x77x768 -*- C++
//-*-===//
//
// The tools' way to name the shapes of an entry point's inputs on the
// command line (avila-inspect --shapes, avila-agree --shapes): one shape per
// input, separated by commas, dimensions separated by 'x'.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_RUNTIME_ARTIFACT_SHAPELIST_H
#define AVILA_RUNTIME_ARTIFACT_SHAPELIST_H

#include <cstdint>
#include <string>
#include <vector>

namespace avila {

/// The shapes of `text`; throws avila::Error naming a size that is not a
/// non-negative integer.
std::vector<std::vector<int64_t>> parseShapeList(const std::string &text);

} // namespace avila

#endif // AVILA_RUNTIME_ARTIFACT_SHAPELIST_H
