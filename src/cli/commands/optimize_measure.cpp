#include "cli/commands/optimize_measure.h"

#include <cstdio>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

namespace fogline::cli {
namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Result<Measurement> measure_latency(const std::string& model, const optimize::TargetProfile& target, int threads, int runs) {
  // bench --target re-executes itself under the cap; the JSON line reports the cap it ran with.
  // popen runs a shell, so /proc/self/exe must be resolved here, in this process.
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) return internal_error("cannot resolve /proc/self/exe: " + ec.message());
  const std::string cmd = shell_quote(self) + " bench " + shell_quote(model) + " --target " + shell_quote(target.name) +
                          " --threads " + std::to_string(threads) + " --runs " + std::to_string(runs) +
                          " --warmup 3 --json 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return internal_error("cannot start: " + cmd);
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int rc = pclose(pipe);
  std::string json_line;
  size_t pos = 0;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    if (!line.empty() && line[0] == '{') json_line = line;
    pos = end + 1;
  }
  if (rc != 0 || json_line.empty()) return internal_error("benchmark of " + model + " on " + target.name + " failed: " + out);
  try {
    auto j = nlohmann::json::parse(json_line);
    Measurement m;
    m.threads = j.value("threads", threads);
    m.median_ms = j.value("median_ms", 0.0);
    m.p90_ms = j.value("p90_ms", 0.0);
    m.arena_mb = j.value("arena_bytes", 0.0) / 1e6;
    m.peak_rss_mb = j.value("peak_rss_kb", 0.0) / 1024.0;
    m.isa_cap = j.value("isa_cap", "");
    return m;
  } catch (const std::exception& e) {
    return internal_error("benchmark of " + model + ": unreadable JSON '" + json_line + "': " + e.what());
  }
}

std::vector<int> thread_counts(const optimize::TargetProfile& target, bool sweep) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int top = std::max(1, std::min(target.threads, cores));
  // One thread always: on a busy machine a multi-threaded run waits for its slowest thread,
  // and a node running several cameras gives each model one core anyway.
  if (!sweep) return top == 1 ? std::vector<int>{1} : std::vector<int>{1, top};
  std::vector<int> t;
  for (int k = 1; k < top; k *= 2) t.push_back(k);
  t.push_back(top);
  return t;
}

}  // namespace fogline::cli
