#include "hub/hub_metrics.h"

#include <cmath>
#include <cstdio>

namespace fogline::hub {

void HubCounters::count_request(const std::string& route, const std::string& method, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  ++requests_[{route, method, status}];
}

std::map<HubCounters::RequestKey, uint64_t> HubCounters::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string Exposition::escape_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string Exposition::escape_help(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void Exposition::family(const std::string& name, const std::string& type, const std::string& help) {
  text_ += "# HELP " + name + " " + escape_help(help) + "\n";
  text_ += "# TYPE " + name + " " + type + "\n";
}

void Exposition::sample(const std::string& name, const MetricLabels& labels, double value) {
  text_ += name;
  if (!labels.empty()) {
    text_ += "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i) text_ += ",";
      text_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
    }
    text_ += "}";
  }
  char buf[64];
  if (std::isnan(value)) std::snprintf(buf, sizeof buf, "NaN");
  else if (std::isinf(value)) std::snprintf(buf, sizeof buf, value > 0 ? "+Inf" : "-Inf");
  else if (value == std::floor(value) && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", value);
  else std::snprintf(buf, sizeof buf, "%.17g", value);
  text_ += " ";
  text_ += buf;
  text_ += "\n";
}

}  // namespace fogline::hub
