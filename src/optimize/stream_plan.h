// `fogline plan`: how many camera streams at F frames per second one node of a target runs,
// from measured latency (per thread count) and memory. The model of the node, stated in the
// command's output too:
//   - the node has `cores` cores (the target's thread count) and `budget_mb` of memory;
//   - k engine instances with t threads each run side by side, k = cores / t, each at its
//     measured single-instance latency (no contention for memory bandwidth or caches: an
//     upper bound);
//   - one process holds the weights once: memory for k instances = peak RSS of one +
//     (k - 1) x its activation arena;
//   - frames of all streams go to whichever instance is free, so capacity = k x 1000 / latency
//     inferences per second and streams = floor(capacity / fps); decode, pre- and
//     post-processing are not counted.
#pragma once

#include <string>
#include <vector>

namespace fogline::optimize {

struct PlanMeasurement {
  int threads = 1;
  double latency_ms = 0;  // median
  double peak_rss_mb = 0;
  double arena_mb = 0;
};

struct PlanRow {
  PlanMeasurement m;
  int instances = 0;          // limited by cores and memory
  int instances_by_cores = 0;
  int instances_by_memory = 0;
  double capacity_fps = 0;    // inferences per second, all instances
  int streams = 0;
  double memory_mb = 0;       // for `instances`
  bool lags = false;          // one frame takes longer than the frame interval
};

PlanRow plan_row(const PlanMeasurement& m, int cores, double budget_mb, double fps);
// One row per measurement; `best` is the index with the most streams (ties: fewer threads).
std::vector<PlanRow> plan_streams(const std::vector<PlanMeasurement>& ms, int cores, double budget_mb, double fps, size_t* best);

}  // namespace fogline::optimize
