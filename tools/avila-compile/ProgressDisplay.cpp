//===- ProgressDisplay.cpp - avila-compile's progress on stderr -----------===//

#include "tools/avila-compile/ProgressDisplay.h"

#include <unistd.h>

namespace avila {

ProgressDisplay::ProgressDisplay(std::FILE *stream)
    : stream(stream), terminal(isatty(fileno(stream))),
      start(std::chrono::steady_clock::now()) {}

ProgressDisplay::~ProgressDisplay() {
  if (lineOpen)
    std::fputc('\n', stream);
}

void ProgressDisplay::update(const CompileProgress &progress) {
  const bool newStep = progress.step != step;
  step = progress.step;
  if (newStep)
    shownTenths = 0;
  if (!terminal && !newStep) {
    const size_t tenths =
        progress.total ? 10 * progress.done / progress.total : 0;
    if (tenths <= shownTenths)
      return;
    shownTenths = tenths;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  std::fprintf(stream, "%s[%6.1f s] %s", terminal ? "\r\033[K" : "", seconds,
               progress.step.c_str());
  if (progress.total)
    std::fprintf(stream, " %zu/%zu", progress.done, progress.total);
  std::fputs(terminal ? "" : "\n", stream);
  lineOpen = terminal;
  std::fflush(stream);
}

} // namespace avila
