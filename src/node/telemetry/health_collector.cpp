#include "node/telemetry/health_collector.h"

#include <sys/statvfs.h>

#include <filesystem>
#include <fstream>
#include <sstream>


namespace fogline::telemetry {
namespace {

namespace fs = std::filesystem;

// /proc and /sys files report size 0, so read until end of file instead of by size.
std::optional<std::string> read_small(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string out;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    out.append(buf, static_cast<size_t>(in.gcount()));
    if (out.size() > (4u << 20)) break;
  }
  return out;
}

std::optional<double> read_millidegrees(const std::string& path) {
  auto text = read_small(path);
  if (!text) return std::nullopt;
  try {
    return std::stod(*text) / 1000.0;
  } catch (...) {
    return std::nullopt;
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

nlohmann::json HealthSample::to_json() const {
  nlohmann::json j;
  j["cpu_percent"] = cpu_percent ? nlohmann::json(*cpu_percent) : nlohmann::json(nullptr);
  j["mem_total_bytes"] = mem_total_bytes;
  j["mem_available_bytes"] = mem_available_bytes;
  j["disk_total_bytes"] = disk_total_bytes;
  j["disk_available_bytes"] = disk_available_bytes;
  j["temperatures_c"] = temperatures_c;
  j["uptime_seconds"] = uptime_seconds;
  j["versions"] = versions;
  return j;
}

HealthCollector::HealthCollector(std::string data_dir, std::map<std::string, std::string> versions,
                                 std::string root)
    : data_dir_(std::move(data_dir)), root_(std::move(root)), versions_(std::move(versions)) {}

Result<HealthSample> HealthCollector::collect() {
  HealthSample s;
  s.versions = versions_;

  auto stat_text = read_small(root_ + "/proc/stat");
  if (!stat_text) return io_error("cannot read " + root_ + "/proc/stat");
  const std::string& stat = *stat_text;
  {
    // "cpu  user nice system idle iowait irq softirq steal ...": idle + iowait is not busy.
    std::istringstream in(stat);
    std::string label;
    in >> label;
    if (label != "cpu") return invalid_argument(root_ + "/proc/stat: first line is not the cpu total");
    uint64_t v[8] = {};
    for (auto& x : v) in >> x;
    uint64_t total = 0;
    for (auto x : v) total += x;
    uint64_t busy = total - v[3] - v[4];
    if (have_last_ && total > last_total_)
      s.cpu_percent = 100.0 * static_cast<double>(busy - last_busy_) / static_cast<double>(total - last_total_);
    last_busy_ = busy;
    last_total_ = total;
    have_last_ = true;
  }

  auto meminfo_text = read_small(root_ + "/proc/meminfo");
  if (!meminfo_text) return io_error("cannot read " + root_ + "/proc/meminfo");
  const std::string& meminfo = *meminfo_text;
  {
    std::istringstream in(meminfo);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      std::string key;
      uint64_t kb = 0;
      ls >> key >> kb;
      if (key == "MemTotal:") s.mem_total_bytes = kb * 1024;
      if (key == "MemAvailable:") s.mem_available_bytes = kb * 1024;
    }
  }

  struct statvfs vfs{};
  if (::statvfs(data_dir_.c_str(), &vfs) == 0) {
    s.disk_total_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    s.disk_available_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  }

  std::error_code ec;
  for (const auto& zone : fs::directory_iterator(root_ + "/sys/class/thermal", ec)) {
    std::string name = zone.path().filename().string();
    if (name.rfind("thermal_zone", 0) != 0) continue;
    auto t = read_millidegrees(zone.path().string() + "/temp");
    if (!t) continue;
    auto type = read_small(zone.path().string() + "/type");
    s.temperatures_c[type ? trim(*type) + "/" + name : name] = *t;
  }
  for (const auto& hw : fs::directory_iterator(root_ + "/sys/class/hwmon", ec)) {
    auto chip = read_small(hw.path().string() + "/name");
    std::string prefix = (chip ? trim(*chip) : hw.path().filename().string()) + "/";
    std::error_code ec2;
    for (const auto& f : fs::directory_iterator(hw.path(), ec2)) {
      std::string n = f.path().filename().string();
      if (n.rfind("temp", 0) != 0 || n.size() < 11 || n.substr(n.size() - 6) != "_input") continue;
      if (auto t = read_millidegrees(f.path().string())) s.temperatures_c[prefix + n.substr(0, n.size() - 6)] = *t;
    }
  }

  if (auto up = read_small(root_ + "/proc/uptime")) {
    try {
      s.uptime_seconds = std::stod(*up);
    } catch (...) {
    }
  }
  return s;
}

}  // namespace fogline::telemetry
