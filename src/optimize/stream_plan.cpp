#include "optimize/stream_plan.h"

#include <algorithm>
#include <cmath>

namespace fogline::optimize {

PlanRow plan_row(const PlanMeasurement& m, int cores, double budget_mb, double fps) {
  PlanRow r;
  r.m = m;
  r.instances_by_cores = m.threads > 0 ? cores / m.threads : 0;
  if (m.peak_rss_mb <= 0 || budget_mb < m.peak_rss_mb) {
    r.instances_by_memory = m.peak_rss_mb <= 0 ? r.instances_by_cores : 0;
  } else if (m.arena_mb <= 0) {
    r.instances_by_memory = r.instances_by_cores;  // extra instances cost (almost) nothing
  } else {
    r.instances_by_memory = 1 + static_cast<int>(std::floor((budget_mb - m.peak_rss_mb) / m.arena_mb));
  }
  r.instances = std::max(0, std::min(r.instances_by_cores, r.instances_by_memory));
  r.capacity_fps = m.latency_ms > 0 ? r.instances * 1000.0 / m.latency_ms : 0;
  r.streams = fps > 0 ? static_cast<int>(std::floor(r.capacity_fps / fps + 1e-9)) : 0;
  r.memory_mb = r.instances > 0 ? m.peak_rss_mb + (r.instances - 1) * m.arena_mb : 0;
  r.lags = fps > 0 && m.latency_ms > 1000.0 / fps;
  return r;
}

std::vector<PlanRow> plan_streams(const std::vector<PlanMeasurement>& ms, int cores, double budget_mb, double fps, size_t* best) {
  std::vector<PlanRow> rows;
  size_t b = 0;
  for (const auto& m : ms) {
    rows.push_back(plan_row(m, cores, budget_mb, fps));
    const auto& r = rows.back();
    if (rows.size() > 1 && (r.streams > rows[b].streams || (r.streams == rows[b].streams && r.m.threads < rows[b].m.threads))) {
      b = rows.size() - 1;
    }
  }
  if (best != nullptr) *best = b;
  return rows;
}

}  // namespace fogline::optimize
