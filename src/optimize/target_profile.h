// Deployment targets: what a class of device can run fast, how many threads and how much
// memory a model gets there. x86 profiles map to oneDNN's instruction-set cap
// (ONEDNN_MAX_CPU_ISA), so on a bigger x86 machine a lower target is measured for real by
// running under that cap; arm64 profiles describe devices this x86 machine cannot emulate.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::optimize {

enum class Precision { kFp32, kBf16, kInt8 };
const char* precision_name(Precision p);

struct TargetProfile {
  std::string name;         // "x86-64-avx512-vnni"
  std::string arch;         // "x86-64" | "arm64"
  std::string description;
  std::string onednn_isa;   // ONEDNN_MAX_CPU_ISA value ("AVX2", "AVX512_CORE_AMX", "ALL")
  std::vector<std::string> required_flags;  // /proc/cpuinfo flags the device must have
  std::vector<Precision> fast;              // precisions with native instructions
  int threads = 4;
  int64_t memory_budget_mb = 1024;
  bool runs_fast(Precision p) const;
};

// All profiles, lowest to highest within each architecture.
const std::vector<TargetProfile>& target_profiles();
Result<TargetProfile> find_target(const std::string& name);  // error lists the known names

// What /proc/cpuinfo says about the CPU.
struct CpuInfo {
  std::string arch;  // "x86-64" or "arm64" (from the flags/Features line)
  std::string model_name;
  std::vector<std::string> flags;
  int logical_cpus = 0;
  bool has(const std::string& flag) const;
};
CpuInfo parse_cpuinfo(const std::string& text);
Result<CpuInfo> read_cpuinfo(const std::string& path = "/proc/cpuinfo");

struct Detection {
  TargetProfile profile;                 // the best profile whose flags are all present
  std::vector<std::string> missing_next; // flags the next profile up needs and this CPU lacks
  std::optional<std::string> next;       // that next profile
};
Result<Detection> detect_target(const CpuInfo& cpu);

// Re-runs the current command (/proc/self/cmdline) in a child process with `--target NAME`
// removed and ONEDNN_MAX_CPU_ISA (and DNNL_MAX_CPU_ISA, its old name) set to the target's
// cap, because oneDNN reads the variable once, at its first use in a process. Returns the
// child's exit code. Refuses targets of another architecture or ones this CPU cannot run.
Result<int> rerun_under_target(const TargetProfile& target);

// The cap in effect for this process ("" when none).
std::string current_isa_cap();

}  // namespace fogline::optimize
