// Drift of a model's top-1 confidence: the live distribution over fixed bins against the
// distribution measured on the evaluation set when the version was registered.
//
// The score is the Jensen-Shannon distance (square root of the JS divergence, base-2 logs):
// it is symmetric, bounded in [0, 1] whatever the bins hold, and defined when a bin is empty
// on either side — so one threshold means the same for every model and no smoothing constant
// decides the result. The population stability index is reported beside it because
// operators know its rule of thumb (< 0.1 stable, > 0.25 shifted); it needs an epsilon for
// empty bins and is unbounded, so it is not the score rules act on.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/status.h"

namespace fogline::telemetry {

inline constexpr int kConfidenceBins = 10;  // [0, 0.1), [0.1, 0.2), ..., [0.9, 1.0]

int confidence_bin(double confidence);

// Both take counts (or any non-negative weights) of equal length; an all-zero side is an error.
Result<double> jensen_shannon_distance(const std::vector<double>& p, const std::vector<double>& q);
// PSI = sum (p_i - q_i) ln(p_i / q_i), with proportions floored at 1e-4 (empty bins).
Result<double> population_stability_index(const std::vector<double>& actual,
                                          const std::vector<double>& expected);

}  // namespace fogline::telemetry
