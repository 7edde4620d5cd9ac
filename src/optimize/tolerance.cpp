#include "optimize/tolerance.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace fogline::optimize {
namespace {

constexpr const char* kMetrics[] = {"top1", "top5", "map50", "map", "accuracy"};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t"), b = s.find_last_not_of(" \t");
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

}  // namespace

bool Tolerance::holds(double baseline, double candidate) const {
  // A hair of slack so that a delta printed as -0.50 meets ">=-0.5" despite binary rounding.
  return delta_points(baseline, candidate) >= min_delta_points - 1e-9;
}

std::string Tolerance::to_string() const {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s>=%g", metric.c_str(), min_delta_points);
  return buf;
}

Result<Tolerance> parse_tolerance(const std::string& text) {
  const size_t op = text.find(">=");
  if (op == std::string::npos) {
    return invalid_argument("tolerance '" + text + "': expected METRIC>=DELTA in points, e.g. 'top1>=-0.5' or 'map50>=-1.0'");
  }
  Tolerance t;
  t.metric = trim(text.substr(0, op));
  bool known = false;
  std::string names;
  for (const char* m : kMetrics) {
    known = known || t.metric == m;
    names += names.empty() ? m : std::string(", ") + m;
  }
  if (!known) return invalid_argument("tolerance '" + text + "': unknown metric '" + t.metric + "' (known: " + names + ")");
  const std::string number = trim(text.substr(op + 2));
  if (number.empty()) return invalid_argument("tolerance '" + text + "': no delta after '>=' (points, e.g. -0.5)");
  errno = 0;
  char* end = nullptr;
  t.min_delta_points = std::strtod(number.c_str(), &end);
  if (errno != 0 || end == number.c_str() || *end != '\0' || !std::isfinite(t.min_delta_points)) {
    return invalid_argument("tolerance '" + text + "': delta '" + number + "' is not a number of points");
  }
  if (t.min_delta_points > 100 || t.min_delta_points < -100) {
    return invalid_argument("tolerance '" + text + "': delta " + number + " is outside [-100, 100] points");
  }
  return t;
}

}  // namespace fogline::optimize
