// The hub's Prometheus exposition (text format 0.0.4, GET /metrics): process counters that
// handlers bump (requests per route template, telemetry records, bundle bytes), and a writer
// that emits HELP/TYPE lines and escapes label values. Counters start at zero with the
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

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Builds one exposition: a family's HELP and TYPE once, then its samples.
class Exposition {
 public:
  void family(const std::string& name, const std::string& type, const std::string& help);
  void sample(const std::string& name, const MetricLabels& labels, double value);
  const std::string& text() const { return text_; }

  // Label values escape backslash, double quote and newline; HELP text backslash and newline.
  static std::string escape_label_value(const std::string& value);
  static std::string escape_help(const std::string& help);

 private:
  std::string text_;
};

}  // namespace fogline::hub
