#include "optimize/target_profile.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>


namespace fogline::optimize {

const char* precision_name(Precision p) {
  switch (p) {
    case Precision::kFp32: return "fp32";
    case Precision::kBf16: return "bf16";
    case Precision::kInt8: return "int8";
  }
  return "?";
}

bool TargetProfile::runs_fast(Precision p) const { return std::find(fast.begin(), fast.end(), p) != fast.end(); }

const std::vector<TargetProfile>& target_profiles() {
  // Threads and memory are the defaults of a typical device of each class (a user's own
  // profile can override them); flags are the ones oneDNN needs for that ISA level.
  static const std::vector<TargetProfile> kProfiles = {
      {"x86-64-avx2", "x86-64", "x86-64 with AVX2+FMA (Haswell and later, most mini PCs)", "AVX2",
       {"avx2", "fma"}, {Precision::kFp32}, 4, 4096},
      {"x86-64-avx512", "x86-64", "x86-64 with AVX-512 F/BW/VL/DQ (Skylake-SP)", "AVX512_CORE",
       {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"}, {Precision::kFp32}, 8, 8192},
      {"x86-64-avx512-vnni", "x86-64", "x86-64 with AVX-512 VNNI int8 dot products (Cascade Lake, Ice Lake)",
       "AVX512_CORE_VNNI", {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni"},
       {Precision::kFp32, Precision::kInt8}, 8, 8192},
      {"x86-64-amx", "x86-64", "x86-64 with AMX tiles for bf16 and int8 (Sapphire Rapids and later)", "AVX512_CORE_AMX",
       {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_int8",
        "amx_bf16"},
       {Precision::kFp32, Precision::kBf16, Precision::kInt8}, 8, 16384},
      {"arm64-neon", "arm64", "arm64 with NEON (Raspberry Pi 4, Cortex-A72)", "ASIMD", {"asimd"}, {Precision::kFp32}, 4, 2048},
      {"arm64-neon-dotprod", "arm64", "arm64 with NEON int8 dot product (Cortex-A55/A76, Pi 5, Jetson Orin)", "ASIMD",
       {"asimd", "asimddp"}, {Precision::kFp32, Precision::kInt8}, 4, 4096},
  };
  return kProfiles;
}

Result<TargetProfile> find_target(const std::string& name) {
  std::string known;
  for (const auto& p : target_profiles()) {
    if (p.name == name) return p;
    known += (known.empty() ? "" : ", ") + p.name;
  }
  return not_found("unknown target '" + name + "' (known: " + known + ")");
}

bool CpuInfo::has(const std::string& flag) const { return std::find(flags.begin(), flags.end(), flag) != flags.end(); }

CpuInfo parse_cpuinfo(const std::string& text) {
  CpuInfo info;
  std::istringstream in(text);
  std::string line;
  bool have_flags = false;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (key == "processor") info.logical_cpus++;
    if ((key == "model name" || key == "Model") && info.model_name.empty()) info.model_name = value;
    // x86 says "flags", arm64 says "Features"; every core repeats them, the first is enough.
    if ((key == "flags" || key == "Features") && !have_flags) {
      have_flags = true;
      info.arch = key == "flags" ? "x86-64" : "arm64";
      std::istringstream words(value);
      std::string w;
      while (words >> w) info.flags.push_back(w);
    }
  }
  return info;
}

namespace {

// /proc files report size 0, so they are read as streams rather than by size.
Result<std::string> read_proc_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

Result<CpuInfo> read_cpuinfo(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_proc_file(path));
  CpuInfo info = parse_cpuinfo(text);
  if (info.flags.empty()) return invalid_argument(path + ": no 'flags' or 'Features' line");
  return info;
}

Result<Detection> detect_target(const CpuInfo& cpu) {
  std::optional<Detection> best;
  for (const auto& p : target_profiles()) {
    if (p.arch != cpu.arch) continue;
    std::vector<std::string> missing;
    for (const auto& f : p.required_flags) {
      if (!cpu.has(f)) missing.push_back(f);
    }
    if (missing.empty()) {
      best = Detection{p, {}, std::nullopt};
    } else if (best && !best->next) {
      best->next = p.name;
      best->missing_next = missing;
    }
  }
  if (!best) {
    return unsupported("no target profile matches this CPU (" + (cpu.arch.empty() ? std::string("unknown arch") : cpu.arch) +
                       ", " + std::to_string(cpu.flags.size()) + " flags)");
  }
  if (cpu.logical_cpus > 0) best->profile.threads = std::min(best->profile.threads, cpu.logical_cpus);
  return *best;
}

std::string current_isa_cap() {
  const char* v = std::getenv("ONEDNN_MAX_CPU_ISA");
  if (v == nullptr) v = std::getenv("DNNL_MAX_CPU_ISA");
  return v ? v : "";
}

Result<int> rerun_under_target(const TargetProfile& target) {
  FOGLINE_ASSIGN_OR_RETURN(CpuInfo cpu, read_cpuinfo());
  if (cpu.arch != target.arch) {
    return unsupported("target " + target.name + " is " + target.arch + "; this machine is " + cpu.arch +
                       " and cannot run it (measure on such a device)");
  }
  for (const auto& f : target.required_flags) {
    if (!cpu.has(f)) return unsupported("target " + target.name + " needs the CPU flag '" + f + "', which this machine lacks");
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string cmdline, read_proc_file("/proc/self/cmdline"));
  std::vector<std::string> args;
  for (size_t start = 0; start < cmdline.size();) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    args.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::string> kept;
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0 && args[i] == "--target") {
      ++i;  // and its value
      continue;
    }
    if (i > 0 && args[i].rfind("--target=", 0) == 0) continue;
    kept.push_back(args[i]);
  }
  if (kept.empty()) return internal_error("/proc/self/cmdline is empty");
  pid_t pid = fork();
  if (pid < 0) return io_error("fork failed");
  if (pid == 0) {
    setenv("ONEDNN_MAX_CPU_ISA", target.onednn_isa.c_str(), 1);
    setenv("DNNL_MAX_CPU_ISA", target.onednn_isa.c_str(), 1);
    setenv("FOGLINE_TARGET", target.name.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : kept) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return io_error("waitpid failed");
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return internal_error("the child process under target " + target.name + " died of signal " + std::to_string(WTERMSIG(status)));
}

}  // namespace fogline::optimize
