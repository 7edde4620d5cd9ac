#include "node/telemetry/collect.h"

namespace fogline::telemetry {
namespace {

Status append_json(TelemetryQueue& queue, Priority p, const std::string& kind,
                   const nlohmann::json& body, int64_t time_ms) {
  // A record refused for lack of room is counted by the queue, so only errors stop us.
  auto r = queue.append(p, kind, body.dump(), time_ms);
  return r.is_ok() ? Status::ok() : r.status().with_context("telemetry record " + kind);
}

}  // namespace

Status record_event(TelemetryQueue& queue, const std::string& kind, const nlohmann::json& body,
                    int64_t time_ms) {
  return append_json(queue, Priority::kHigh, kind, body, time_ms);
}

Status collect_round(TelemetryQueue& queue, HealthCollector* health, const LinkStats& link,
                     const std::vector<ModelMetrics*>& models, double elapsed_seconds,
                     int64_t time_ms) {
  if (health) {
    auto sample = health->collect();
    if (sample.is_ok())
      FOGLINE_TRY(append_json(queue, Priority::kNormal, "health", sample->to_json(), time_ms));
    else
      FOGLINE_TRY(record_event(queue, "event.error",
                               {{"where", "health"}, {"error", sample.status().to_string()}}, time_ms));
  }
  FOGLINE_TRY(append_json(queue, Priority::kNormal, "link", link.to_json(), time_ms));
  for (ModelMetrics* m : models)
    FOGLINE_TRY(append_json(queue, Priority::kNormal, "model", m->snapshot_json(elapsed_seconds), time_ms));
  return Status::ok();
}

}  // namespace fogline::telemetry
