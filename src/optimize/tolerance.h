// The accuracy a user accepts to lose, as `fogline optimize --tolerance` takes it:
// "<metric>>=<delta in points>", e.g. 'top1>=-0.5' (top-1 may drop by at most half a point)
// or 'map50>=-1.0'. Metrics are fractions in [0, 1] (what the evaluation module reports), so a
// point is 0.01; a delta is the candidate minus the fp32 baseline, in points.
#pragma once

#include <string>

#include "core/status.h"

namespace fogline::optimize {

struct Tolerance {
  std::string metric = "top1";  // top1 | top5 | map50 | map | accuracy
  double min_delta_points = -1.0;
  // Points the candidate is above (positive) or below (negative) the baseline.
  static double delta_points(double baseline, double candidate) { return (candidate - baseline) * 100.0; }
  bool holds(double baseline, double candidate) const;
  std::string to_string() const;  // "top1>=-0.5"
};

// Errors name what was wrong: an unknown metric (listing the known ones), a missing ">=", or a
// delta that is not a number.
Result<Tolerance> parse_tolerance(const std::string& text);

}  // namespace fogline::optimize
