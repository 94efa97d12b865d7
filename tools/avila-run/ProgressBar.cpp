//===- ProgressBar.cpp - Step progress on the terminal --------------------===//

#include "tools/avila-run/ProgressBar.h"

#include <string>
#include <unistd.h>

namespace avila {

ProgressBar::ProgressBar(std::FILE *stream)
    : stream(stream), terminal(isatty(fileno(stream))) {}

void ProgressBar::update(const Progress &progress) {
  constexpr int kWidth = 30;
  const int filled =
      progress.steps ? kWidth * progress.step / progress.steps : kWidth;
  const std::string bar =
      std::string(filled, '#') + std::string(kWidth - filled, '.');
  const double rate =
      progress.seconds > 0 ? progress.step / progress.seconds : 0.0;
  if (!terminal && progress.step == 0)
    return;
  std::fprintf(stream, "%sbatch %d/%d [%s] %d/%d %.2f it/s%s",
               terminal ? "\r" : "", progress.batch + 1, progress.batches,
               bar.c_str(), progress.step, progress.steps, rate,
               terminal && progress.step < progress.steps ? "" : "\n");
  std::fflush(stream);
}

} // namespace avila
