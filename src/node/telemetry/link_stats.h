// Link diagnostics the sender keeps about its path to the hub: RTT, failed attempts, bytes up
// and down, estimated bandwidth, last contact, and what the recent failures look like —
// "network" (no connection, timeout), "hub" (HTTP 5xx) or "node" (the hub refused the node's
// request with a 4xx, or the node failed before sending). `fogline node show` uses the last
// one to say whether a quiet node looks like the network or the node.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace fogline::telemetry {

enum class FailureClass { kNetwork, kHub, kNode };
const char* failure_class_name(FailureClass c);

// How one attempt ended, as the transport reports it.
struct Attempt {
  bool connected = false;  // false: connect error or timeout
  int http_status = 0;     // when connected
  bool local_error = false;  // the node could not build or sign the request
  double rtt_seconds = 0;  // request sent .. reply read
  uint64_t bytes_up = 0;
  uint64_t bytes_down = 0;
  int64_t time_ms = 0;     // wall clock at the end of the attempt
};

// nullopt-like: success when the hub answered 2xx.
bool attempt_succeeded(const Attempt& a);
FailureClass classify_failure(const Attempt& a);

class LinkStats {
 public:
  void record(const Attempt& a);
  nlohmann::json to_json() const;

  uint64_t failed_attempts() const;
  uint64_t consecutive_failures() const;
  int64_t last_contact_ms() const;
  // The most common class among the last kWindow failures ("" when none).
  std::string recent_failures_look_like() const;

  static constexpr size_t kWindow = 8;

 private:
  mutable std::mutex mu_;
  uint64_t attempts_ = 0, failed_ = 0, consecutive_ = 0;
  uint64_t bytes_up_ = 0, bytes_down_ = 0;
  double rtt_ewma_ = 0, rtt_last_ = 0;
  double bandwidth_ewma_ = 0;  // bytes per second up, from successful transfers
  int64_t last_contact_ms_ = 0, last_failure_ms_ = 0;
  std::deque<FailureClass> recent_;
};

}  // namespace fogline::telemetry
