// The variants `fogline optimize` compares and the rule that picks one: the fastest candidate
// whose metric stays inside the tolerance; the fp32 variant (index 0, the baseline) whenever
// nothing faster holds, with a message that says so — never a silently worse model.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "optimize/tolerance.h"

namespace fogline::optimize {

struct Candidate {
  std::string name;       // "fp32", "int8 static", "int8 dynamic", "bf16"
  bool available = true;  // false: not built (note says why)
  std::string note;       // what was done, or why it is not available
  double metric = 0;      // the tolerance's metric, fraction in [0, 1]
  double metric2 = -1;    // a second metric for the table (top-5, AP@[.5:.95]); -1: none
  double delta_points = 0;
  double latency_ms = 0;  // median at the best thread count
  int threads = 1;
  double size_mb = 0, arena_mb = 0, peak_rss_mb = 0;
  int kept_fp32 = 0;
  bool within = false;    // set by choose_candidate
  std::string file;       // where the model was written
  nlohmann::json to_json() const;
};

struct Choice {
  size_t index = 0;
  bool tolerance_met = true;  // false: no optimised candidate held; index is the fp32 baseline
  std::string message;
};

// candidates[0] must be the fp32 baseline (measured). Fills delta_points and within.
Choice choose_candidate(std::vector<Candidate>* candidates, const Tolerance& tolerance);

// The table `fogline optimize` prints: precision, metric, delta, latency, speed-up, size, memory.
std::string format_candidate_table(const std::vector<Candidate>& candidates, const Tolerance& tolerance,
                                   const std::string& metric2_name, size_t chosen);

}  // namespace fogline::optimize
