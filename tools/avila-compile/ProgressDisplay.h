//===- ProgressDisplay.h - avila-compile's progress on stderr ----*- C++
//-*-===//
//
// One line that updates in place on a terminal; elsewhere (a log, CI) one
// line per step and a line per tenth of a function-by-function step, so that a
// log shows progress without hundreds of lines.
//
//===----------------------------------------------------------------------===//

#ifndef AVILA_TOOLS_AVILA_COMPILE_PROGRESSDISPLAY_H
#define AVILA_TOOLS_AVILA_COMPILE_PROGRESSDISPLAY_H

#include "compiler/phases/Phases.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace avila {

class ProgressDisplay {
public:
  explicit ProgressDisplay(std::FILE *stream);
  ~ProgressDisplay();

  void update(const CompileProgress &progress);

private:
  std::FILE *stream;
  bool terminal;
  bool lineOpen = false;
  std::string step;
  size_t shownTenths = 0;
  std::chrono::steady_clock::time_point start;
};

} // namespace avila

#endif // AVILA_TOOLS_AVILA_COMPILE_PROGRESSDISPLAY_H
