//===- ProgressBar.h - Step progress on the terminal -------------*- C++
//-*-===//

#ifndef AVILA_TOOLS_AVILA_RUN_PROGRESSBAR_H
#define AVILA_TOOLS_AVILA_RUN_PROGRESSBAR_H

#include "runtime/pipeline/Pipeline.h"

#include <cstdio>

namespace avila {

/// Draws `batch 1/2 [#####.....] 10/20 3.1 it/s` on `stream`, redrawn in
/// place on a terminal and as one line per step otherwise (logs).
class ProgressBar {
public:
  explicit ProgressBar(std::FILE *stream);
  void update(const Progress &progress);

private:
  std::FILE *stream;
  bool terminal;
};

} // namespace avila

#endif // AVILA_TOOLS_AVILA_RUN_PROGRESSBAR_H
