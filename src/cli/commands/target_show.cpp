// fogline target show T: one target profile in full.
#include <cstdio>

#include "cli/command.h"
#include "optimize/target_profile.h"

namespace fogline::cli {
namespace {

class TargetShowCommand : public Command {
 public:
  const char* name() const override { return "target show"; }
  const char* summary() const override { return "Show a deployment target profile"; }
  void configure(CLI::App& app) override { app.add_option("target", name_, "a target name (fogline target list)")->required(); }
  int run() override {
    auto p = optimize::find_target(name_);
    if (!p.is_ok()) return fail(p.status().message());
    std::string fast, flags;
    for (auto x : p->fast) fast += (fast.empty() ? "" : ", ") + std::string(optimize::precision_name(x));
    for (const auto& f : p->required_flags) flags += (flags.empty() ? "" : " ") + f;
    std::printf("target       %s\narch         %s\n             %s\n", p->name.c_str(), p->arch.c_str(), p->description.c_str());
    std::printf("oneDNN cap   ONEDNN_MAX_CPU_ISA=%s\nfast         %s\nthreads      %d\nmemory       %lld MB\ncpu flags    %s\n",
                p->onednn_isa.c_str(), fast.c_str(), p->threads, static_cast<long long>(p->memory_budget_mb), flags.c_str());
    if (p->arch == "x86-64") {
      std::printf("measure      fogline bench MODEL --target %s  (a child process under the cap)\n", p->name.c_str());
    }
    return 0;
  }

 private:
  std::string name_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(TargetShowCommand);

}  // namespace fogline::cli
