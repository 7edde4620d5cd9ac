// The hub's Prometheus exposition (GET /metrics): process counters that handlers bump
// (requests per route template, telemetry records, bundle bytes), written out with
// core/prometheus_text.h. Counters start at zero with the
// process, as Prometheus expects of a counter; gauges are read from the database at scrape
// time (routes_metrics.cpp, one table of metric families).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/prometheus_text.h"

namespace fogline::hub {

class HubCounters {
 public:
  using RequestKey = std::tuple<std::string, std::string, int>;  // route template, method, status

  void count_request(const std::string& route, const std::string& method, int status);
  std::map<RequestKey, uint64_t> requests() const;

  std::atomic<uint64_t> telemetry_records{0};     // stored for the first time
  std::atomic<uint64_t> telemetry_duplicates{0};  // resent records counted once already
  std::atomic<uint64_t> bundle_bytes_served{0};   // bundle bytes written to clients (full and delta)
  std::atomic<uint64_t> delta_bytes_saved{0};     // full size - delta size, per delta download

 private:
  mutable std::mutex mu_;
  std::map<RequestKey, uint64_t> requests_;
};

}  // namespace fogline::hub
