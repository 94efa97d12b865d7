//===- UniPc.cpp - UniPC, order 2, B(h) = e^h - 1 -------------------------===//
//
// diffusers' UniPCMultistepScheduler (bh2, data prediction): each step first
// corrects the latents the previous step predicted, using the new model
// output (UniC), then predicts the next latents (UniP). The order ramps up
// from 1 and drops back to 1 for the final step.
//
//===----------------------------------------------------------------------===//

#include "runtime/sampling/Samplers.h"

#include <algorithm>
#include <cmath>

namespace avila {
namespace {

constexpr int kSolverOrder = 2;

// The coefficients of one update between λ_s0 and λ_t (h = λ_t - λ_s0),
// for data prediction (hh = -h).
struct UniCoefficients {
  // e^{hh} - 1, which is also B(h) for bh2.
  double hPhi1;
  // b_k = h_phi_k · k! / B(h) for k = 1, 2.
  double b[2];
};

UniCoefficients coefficients(double h) {
  const double hh = -h;
  UniCoefficients c;
  c.hPhi1 = std::expm1(hh);
  double hPhiK = c.hPhi1 / hh - 1;
  double factorial = 1;
  for (int k = 1; k <= 2; ++k) {
    c.b[k - 1] = hPhiK * factorial / c.hPhi1;
    factorial *= k + 1;
    hPhiK = hPhiK / hh - 1 / factorial;
  }
  return c;
}

class UniPc final : public MultistepSampler {
public:
  UniPc(const NoiseSchedule &schedule, int steps)
      : MultistepSampler(schedule, steps, Schedule::Automatic) {}

  void step(size_t index, std::span<const float> eps,
            std::vector<float> &latents, NoiseGenerator &) override {
    std::vector<float> original = predictOriginal(index, eps, latents);
    if (!lastSample.empty())
      correct(index, original, latents);

    outputs.push_back(std::move(original));
    if (outputs.size() > kSolverOrder)
      outputs.erase(outputs.begin());
    const int remaining = static_cast<int>(modelTimesteps.size() - index);
    order = std::min({kSolverOrder, remaining, warmedUp + 1});
    lastSample = latents;
    predict(index, latents);
    warmedUp = std::min(warmedUp + 1, kSolverOrder);
  }

private:
  // UniP: from latents x at σ_index to σ_{index+1}.
  void predict(size_t index, std::vector<float> &x) const {
    const VpSigma s0 = vpSigma(sigmas[index]);
    const VpSigma t = vpSigma(sigmas[index + 1]);
    const double h = t.lambda - s0.lambda;
    const UniCoefficients c = coefficients(h);
    const std::vector<float> &m0 = outputs.back();
    const bool secondOrder = order == 2;
    double rk = 1;
    if (secondOrder)
      rk = (vpSigma(sigmas[index - 1]).lambda - s0.lambda) / h;
    for (size_t i = 0; i < x.size(); ++i) {
      double value = t.sigma / s0.sigma * x[i] - t.alpha * c.hPhi1 * m0[i];
      if (secondOrder) {
        const double d1 = (outputs[outputs.size() - 2][i] - m0[i]) / rk;
        value -= t.alpha * c.hPhi1 * 0.5 * d1;
      }
      x[i] = static_cast<float>(value);
    }
  }

  // UniC: recomputes the previous update (from lastSample at σ_{index-1} to
  // σ_index) with the model output at σ_index included.
  void correct(size_t index, const std::vector<float> &modelT,
               std::vector<float> &x) const {
    const VpSigma s0 = vpSigma(sigmas[index - 1]);
    const VpSigma t = vpSigma(sigmas[index]);
    const double h = t.lambda - s0.lambda;
    const UniCoefficients c = coefficients(h);
    const std::vector<float> &m0 = outputs.back();
    // ρ solves R ρ = b, R's rows the powers of r = (r_1, 1).
    double rhoPrevious = 0, rhoT = 0.5;
    double rk = 1;
    const bool secondOrder = order == 2;
    if (secondOrder) {
      rk = (vpSigma(sigmas[index - 2]).lambda - s0.lambda) / h;
      // [[1, 1], [rk, 1]] · [ρ0, ρ1] = [b0, b1].
      rhoPrevious = (c.b[0] - c.b[1]) / (1 - rk);
      rhoT = c.b[0] - rhoPrevious;
    }
    for (size_t i = 0; i < x.size(); ++i) {
      double correction = rhoT * (double(modelT[i]) - m0[i]);
      if (secondOrder)
        correction +=
            rhoPrevious * (outputs[outputs.size() - 2][i] - m0[i]) / rk;
      x[i] = static_cast<float>(t.sigma / s0.sigma * lastSample[i] -
                                t.alpha * c.hPhi1 * m0[i] -
                                t.alpha * c.hPhi1 * correction);
    }
  }

  std::vector<std::vector<float>> outputs;
  std::vector<float> lastSample;
  int order = 1;
  int warmedUp = 0;
};

} // namespace

std::unique_ptr<Sampler> makeUniPc(const NoiseSchedule &schedule, int steps) {
  return std::make_unique<UniPc>(schedule, steps);
}

} // namespace avila
