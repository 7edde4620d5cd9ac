// fogline target detect: which target profile this machine (or a saved cpuinfo) is.
#include <cstdio>

#include "cli/command.h"
#include "optimize/target_profile.h"

namespace fogline::cli {
namespace {

class TargetDetectCommand : public Command {
 public:
  const char* name() const override { return "target detect"; }
  const char* summary() const override { return "Name the best target profile for this machine (from /proc/cpuinfo)"; }
  void configure(CLI::App& app) override {
    app.add_option("--cpuinfo", path_, "read this cpuinfo text instead of /proc/cpuinfo")->default_val("/proc/cpuinfo");
  }
  int run() override {
    auto cpu = optimize::read_cpuinfo(path_);
    if (!cpu.is_ok()) return fail(cpu.status().message());
    auto d = optimize::detect_target(*cpu);
    if (!d.is_ok()) return fail(d.status().message());
    std::printf("cpu          %s (%d logical CPUs, %s)\n", cpu->model_name.c_str(), cpu->logical_cpus, cpu->arch.c_str());
    std::printf("target       %s\n", d->profile.name.c_str());
    std::printf("threads      %d\n", d->profile.threads);
    if (d->next) {
      std::string missing;
      for (const auto& f : d->missing_next) missing += (missing.empty() ? "" : " ") + f;
      std::printf("next up      %s needs %s\n", d->next->c_str(), missing.c_str());
    }
    std::string cap = optimize::current_isa_cap();
    if (!cap.empty()) std::printf("note         ONEDNN_MAX_CPU_ISA=%s is set in this environment\n", cap.c_str());
    return 0;
  }

 private:
  std::string path_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(TargetDetectCommand);

}  // namespace fogline::cli
