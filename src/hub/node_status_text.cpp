#include "hub/node_status_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace fogline::hub {

using Json = nlohmann::json;

namespace {

double num(const Json& j, const char* key, double fallback = -1) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
  return j[key].get<double>();
}

std::string used_share(const Json& health, const char* total_key, const char* free_key) {
  double total = num(health, total_key), free = num(health, free_key);
  if (total <= 0 || free < 0) return "-";
  return std::to_string(static_cast<int>(std::lround(100 * (1 - free / total)))) + "%";
}

}  // namespace

std::string labels_text(const Json& node) {
  if (!node.contains("labels") || !node["labels"].is_object() || node["labels"].empty()) return "-";
  std::string out;
  for (auto& [k, v] : node["labels"].items())
    out += (out.empty() ? "" : ",") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  return out;
}

std::string models_text(const Json& node) {
  std::string out;
  auto add = [&out](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
  if (node.contains("models") && node["models"].is_array() && !node["models"].empty()) {
    for (const auto& m : node["models"]) {
      std::string cell = m.value("model", std::string("?")) + "@" + m.value("version", std::string("?"));
      std::string state = m.value("state", std::string("running"));
      if (state != "running") cell += "(" + state + ")";
      add(cell);
    }
    return out;
  }
  // No report yet: what the hub wants it to run.
  if (node.contains("desired") && node["desired"].is_array())
    for (const auto& m : node["desired"])
      add(m.value("model", std::string("?")) + "@" + m.value("version", std::string("?")) + "(assigned)");
  return out.empty() ? "-" : out;
}

std::string cpu_text(const Json& node) {
  double cpu = num(node.value("health", Json()), "cpu_percent");
  if (cpu < 0) return "-";
  return std::to_string(static_cast<int>(std::lround(cpu))) + "%";
}

std::string memory_text(const Json& node) {
  return used_share(node.value("health", Json()), "mem_total_bytes", "mem_available_bytes");
}

std::string disk_text(const Json& node) {
  return used_share(node.value("health", Json()), "disk_total_bytes", "disk_available_bytes");
}

std::string rtt_text(const Json& node) {
  double rtt = num(node.value("link", Json()), "rtt_seconds");
  if (rtt < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, rtt < 0.01 ? "%.1f ms" : "%.0f ms", rtt * 1000);
  return buf;
}

std::string ago_text(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + "s ago";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m ago";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h ago";
  return std::to_string(seconds / 86400) + "d ago";
}

std::string bytes_text(double bytes) {
  if (bytes < 0) return "-";
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string format_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&width](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (size_t i = 0; i < width.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      text += cell;
      if (i + 1 < width.size()) text += std::string(width[i] - cell.size() + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(header);
  for (const auto& r : rows) line(r);
  return out;
}

}  // namespace fogline::hub
