#include "node/telemetry/link_stats.h"

#include <array>

namespace fogline::telemetry {
namespace {
// Weight of the newest sample in the moving averages: reacts within a few batches without
// letting one slow request define the link.
constexpr double kAlpha = 0.25;
}  // namespace

const char* failure_class_name(FailureClass c) {
  switch (c) {
    case FailureClass::kNetwork: return "network";
    case FailureClass::kHub: return "hub";
    case FailureClass::kNode: return "node";
  }
  return "?";
}

bool attempt_succeeded(const Attempt& a) {
  return a.connected && !a.local_error && a.http_status >= 200 && a.http_status < 300;
}

FailureClass classify_failure(const Attempt& a) {
  if (a.local_error) return FailureClass::kNode;
  if (!a.connected) return FailureClass::kNetwork;
  if (a.http_status >= 500) return FailureClass::kHub;
  return FailureClass::kNode;  // 4xx: the hub refused what the node sent (auth, format)
}

void LinkStats::record(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  ++attempts_;
  bytes_up_ += a.bytes_up;
  bytes_down_ += a.bytes_down;
  if (a.connected) {
    // Any reply, even a 5xx, is contact with the hub and a round trip worth measuring.
    last_contact_ms_ = a.time_ms;
    rtt_last_ = a.rtt_seconds;
    rtt_ewma_ = rtt_ewma_ == 0 ? a.rtt_seconds : (1 - kAlpha) * rtt_ewma_ + kAlpha * a.rtt_seconds;
  }
  if (attempt_succeeded(a)) {
    consecutive_ = 0;
    if (a.rtt_seconds > 0 && a.bytes_up > 0) {
      double bw = static_cast<double>(a.bytes_up + a.bytes_down) / a.rtt_seconds;
      bandwidth_ewma_ = bandwidth_ewma_ == 0 ? bw : (1 - kAlpha) * bandwidth_ewma_ + kAlpha * bw;
    }
    return;
  }
  ++failed_;
  ++consecutive_;
  last_failure_ms_ = a.time_ms;
  recent_.push_back(classify_failure(a));
  if (recent_.size() > kWindow) recent_.pop_front();
}

std::string LinkStats::recent_failures_look_like() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (recent_.empty()) return "";
  std::array<int, 3> counts{};
  for (FailureClass c : recent_) ++counts[static_cast<int>(c)];
  // Ties go to the most recent failure's class.
  FailureClass best = recent_.back();
  for (int c = 0; c < 3; ++c)
    if (counts[c] > counts[static_cast<int>(best)]) best = static_cast<FailureClass>(c);
  return failure_class_name(best);
}

nlohmann::json LinkStats::to_json() const {
  std::string looks = recent_failures_look_like();
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json recent = nlohmann::json::array();
  for (FailureClass c : recent_) recent.push_back(failure_class_name(c));
  return {{"attempts", attempts_},
          {"failed_attempts", failed_},
          {"consecutive_failures", consecutive_},
          {"bytes_up", bytes_up_},
          {"bytes_down", bytes_down_},
          {"rtt_seconds", rtt_ewma_},
          {"rtt_last_seconds", rtt_last_},
          {"bandwidth_bytes_per_second", bandwidth_ewma_},
          {"last_contact_ms", last_contact_ms_},
          {"last_failure_ms", last_failure_ms_},
          {"recent_failures", std::move(recent)},
          {"failures_look_like", looks}};
}

uint64_t LinkStats::failed_attempts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failed_;
}
uint64_t LinkStats::consecutive_failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return consecutive_;
}
int64_t LinkStats::last_contact_ms() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_contact_ms_;
}

}  // namespace fogline::telemetry
