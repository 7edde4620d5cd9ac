#include "node/telemetry/drift.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace fogline::telemetry {
namespace {

Result<std::vector<double>> normalise(const std::vector<double>& v, const char* which) {
  double sum = 0;
  for (double x : v) {
    if (!(x >= 0) || !std::isfinite(x))
      return invalid_argument(std::string(which) + " distribution holds a negative or non-finite count");
    sum += x;
  }
  if (sum <= 0) return invalid_argument(std::string(which) + " distribution is empty (all counts zero)");
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = v[i] / sum;
  return out;
}

Status same_length(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size() || a.empty())
    return invalid_argument("distributions have " + std::to_string(a.size()) + " and " +
                            std::to_string(b.size()) + " bins; expected the same, non-zero number");
  return Status::ok();
}

}  // namespace

int confidence_bin(double confidence) {
  if (!(confidence >= 0)) return 0;  // NaN lands in the lowest bin
  int bin = static_cast<int>(confidence * kConfidenceBins);
  return std::clamp(bin, 0, kConfidenceBins - 1);
}

Result<double> jensen_shannon_distance(const std::vector<double>& p, const std::vector<double>& q) {
  FOGLINE_TRY(same_length(p, q));
  FOGLINE_ASSIGN_OR_RETURN(auto a, normalise(p, "live"));
  FOGLINE_ASSIGN_OR_RETURN(auto b, normalise(q, "baseline"));
  double js = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double m = 0.5 * (a[i] + b[i]);
    if (a[i] > 0) js += 0.5 * a[i] * std::log2(a[i] / m);
    if (b[i] > 0) js += 0.5 * b[i] * std::log2(b[i] / m);
  }
  return std::sqrt(std::max(0.0, js));
}

Result<double> population_stability_index(const std::vector<double>& actual,
                                          const std::vector<double>& expected) {
  FOGLINE_TRY(same_length(actual, expected));
  FOGLINE_ASSIGN_OR_RETURN(auto a, normalise(actual, "live"));
  FOGLINE_ASSIGN_OR_RETURN(auto e, normalise(expected, "baseline"));
  constexpr double kFloor = 1e-4;
  double psi = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double x = std::max(a[i], kFloor), y = std::max(e[i], kFloor);
    psi += (x - y) * std::log(x / y);
  }
  return psi;
}

}  // namespace fogline::telemetry
