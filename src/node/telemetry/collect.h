// One collection round: the periodic snapshots (health, link, one record per served model
// version) go into the queue at normal priority; events go in at high priority the moment they
// happen. The agent's loop calls collect_round() every interval and a TelemetrySender step.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "node/telemetry/health_collector.h"
#include "node/telemetry/link_stats.h"
#include "node/telemetry/model_metrics.h"
#include "node/telemetry/telemetry_queue.h"

namespace fogline::telemetry {

// "event.model_activated", "event.model_rolled_back", "event.error", ...: high priority.
Status record_event(TelemetryQueue& queue, const std::string& kind, const nlohmann::json& body,
                    int64_t time_ms);

// Appends `health` (when a collector is given), `link` and one `model` record per entry.
// `elapsed_seconds` since the previous round gives the models' throughput. A health read
// failure is itself recorded (as `event.error`) rather than stopping the round.
Status collect_round(TelemetryQueue& queue, HealthCollector* health, const LinkStats& link,
                     const std::vector<ModelMetrics*>& models, double elapsed_seconds,
                     int64_t time_ms);

}  // namespace fogline::telemetry
