// Latency and memory of a model file on a target, measured the way `fogline bench --target`
// does: a child process (this binary's `bench --json`) under the target's oneDNN ISA cap,
// because oneDNN reads ONEDNN_MAX_CPU_ISA once per process. Shared by `fogline optimize` and
// `fogline plan`; not a command (registers nothing).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "optimize/target_profile.h"

namespace fogline::cli {

struct Measurement {
  int threads = 1;
  double median_ms = 0, p90_ms = 0;
  double arena_mb = 0, peak_rss_mb = 0;
  std::string isa_cap;
};

// One `bench` child at `threads`.
Result<Measurement> measure_latency(const std::string& model, const optimize::TargetProfile& target, int threads, int runs);

// Thread counts to try: 1 and min(target threads, cores); with `sweep` also 2, 4, ... between.
std::vector<int> thread_counts(const optimize::TargetProfile& target, bool sweep);

}  // namespace fogline::cli
