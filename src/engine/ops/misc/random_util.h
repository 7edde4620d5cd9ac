// Random number generation for the Random* / Multinomial / Bernoulli ops. With a `seed`
// attribute every run gives the same numbers (our own generator: numpy's cannot be
// reproduced, so ONNX test outputs made with numpy are not matched); without one each run
// draws a fresh seed. The generator lives on the stack of a run, so kernels stay stateless.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>

#include "engine/kernel.h"

namespace fogline::engine::ops::random {

class Generator {
 public:
  explicit Generator(std::optional<float> seed) {
    if (seed) {
      uint32_t bits;
      static_assert(sizeof(bits) == sizeof(float));
      std::memcpy(&bits, &*seed, sizeof(bits));
      engine_.seed(0x9e3779b97f4a7c15ull ^ bits);
    } else {
      std::random_device rd;
      engine_.seed((static_cast<uint64_t>(rd()) << 32) ^ rd());
    }
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0); }
  // Standard normal by Box-Muller (portable, unlike std::normal_distribution).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 engine_;
};

inline std::optional<float> seed_of(const KernelBuildInfo& info) {
  if (!info.attrs().has("seed")) return std::nullopt;
  return info.attrs().get_float("seed", 0.0f);
}

}  // namespace fogline::engine::ops::random
