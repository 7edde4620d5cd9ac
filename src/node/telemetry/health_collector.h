// Node health from the OS: CPU % (from /proc/stat deltas between two collect() calls), memory
// (/proc/meminfo), the data dir's disk (statvfs), temperatures (/sys/class/thermal zones and
// hwmon temp*_input, when the machine exposes them), uptime (/proc/uptime) and versions.
// `root` prefixes /proc and /sys so tests run on a written tree; "" reads the real ones.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace fogline::telemetry {

struct HealthSample {
  std::optional<double> cpu_percent;  // none on the first call (needs two readings)
  uint64_t mem_total_bytes = 0, mem_available_bytes = 0;
  uint64_t disk_total_bytes = 0, disk_available_bytes = 0;
  std::map<std::string, double> temperatures_c;  // sensor name -> degrees Celsius
  double uptime_seconds = 0;
  std::map<std::string, std::string> versions;
  nlohmann::json to_json() const;
};

class HealthCollector {
 public:
  HealthCollector(std::string data_dir, std::map<std::string, std::string> versions,
                  std::string root = "");
  // Fails only when /proc itself cannot be read; a missing sensor is just absent.
  Result<HealthSample> collect();

 private:
  std::string data_dir_, root_;
  std::map<std::string, std::string> versions_;
  uint64_t last_busy_ = 0, last_total_ = 0;
  bool have_last_ = false;
};

}  // namespace fogline::telemetry
