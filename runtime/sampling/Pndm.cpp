//===- Pndm.cpp - PLMS: pseudo linear multistep (PNDM without Runge-Kutta) ===//
//
// diffusers' PNDMScheduler with skip_prk_steps: the second timestep is run
// twice (a Heun-like warm-up averaging two predictions), then Adams-Bashforth
// combinations of up to four past predictions.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Samplers.h"

#include <cmath>
#include <deque>

namespace avila {
namespace {

class Pndm final : public Sampler {
public:
  Pndm(const NoiseSchedule &schedule, int steps) : Sampler(schedule, steps) {
    std::vector<double> leading =
        leadingTimesteps(steps, schedule.trainSteps());
    // [t_n, .., t_2, t_1, t_0] → [t_n, .., t_2, t_1, t_1, t_0] when n > 1.
    if (leading.size() > 1)
      leading.insert(leading.begin() + 1, leading[1]);
    modelTimesteps = leading;
  }

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &) override {
    const int ratio = schedule.trainSteps() / steps;
    int t = static_cast<int>(modelTimesteps[index]);
    int previous = t - ratio;
    if (counter != 1) {
      if (history.size() > 3)
        history.pop_front();
      history.emplace_back(eps.begin(), eps.end());
    } else {
      previous = t;
      t += ratio;
    }
    std::vector<double> combined(eps.size());
    const size_t n = history.size();
    auto combine = [&](std::initializer_list<double> weights, double divisor) {
      for (size_t i = 0; i < combined.size(); ++i) {
        double sum = 0;
        size_t back = 1;
        for (double weight : weights)
          sum += weight * history[n - back++][i];
        combined[i] = sum / divisor;
      }
    };
    if (n == 1 && counter == 0) {
      combined.assign(eps.begin(), eps.end());
      warmupSample = latents;
    } else if (n == 1 && counter == 1) {
      for (size_t i = 0; i < combined.size(); ++i)
        combined[i] = (double(eps[i]) + history.back()[i]) / 2;
      latents = warmupSample;
    } else if (n == 2) {
      combine({3, -1}, 2);
    } else if (n == 3) {
      combine({23, -16, 5}, 12);
    } else {
      combine({55, -59, 37, -9}, 24);
    }
    previousSample(latents, t, previous, combined);
    ++counter;
  }

private:
  void previousSample(std::vector<float> &sample, int t, int previous,
                      const std::vector<double> &eps) const {
    const double alpha = schedule.alphaCumprod(t);
    const double alphaPrevious = schedule.alphaCumprod(std::max(previous, 0));
    const double sampleCoefficient = std::sqrt(alphaPrevious / alpha);
    const double denominator = alpha * std::sqrt(1 - alphaPrevious) +
                               std::sqrt(alpha * (1 - alpha) * alphaPrevious);
    for (size_t i = 0; i < sample.size(); ++i)
      sample[i] =
          static_cast<float>(sampleCoefficient * sample[i] -
                             (alphaPrevious - alpha) * eps[i] / denominator);
  }

  size_t counter = 0;
  std::deque<std::vector<float>> history;
  std::vector<float> warmupSample;
};

} // namespace

std::unique_ptr<Sampler> makePndm(const NoiseSchedule &schedule, int steps) {
  return std::make_unique<Pndm>(schedule, steps);
}

} // namespace avila
