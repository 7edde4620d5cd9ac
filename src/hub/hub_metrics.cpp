#include "hub/hub_metrics.h"

namespace fogline::hub {

void HubCounters::count_request(const std::string& route, const std::string& method, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
}

std::map<HubCounters::RequestKey, uint64_t> HubCounters::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

}  // namespace fogline::hub
