// fogline target list: the deployment target profiles (instruction-set cap, fast precisions,
// threads, memory budget).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "optimize/target_profile.h"

namespace fogline::cli {
namespace {

std::string precisions(const optimize::TargetProfile& p) {
  std::string s;
  for (auto x : p.fast) s += (s.empty() ? "" : ",") + std::string(optimize::precision_name(x));
  return s;
}

class TargetListCommand : public Command {
 public:
  const char* name() const override { return "target list"; }
  const char* summary() const override { return "List deployment target profiles"; }
  void configure(CLI::App& app) override { app.add_flag("--json", json_, "print JSON"); }
  int run() override {
    nlohmann::json j = nlohmann::json::array();
    if (!json_) std::printf("%-20s %-7s %-18s %-15s %7s %9s\n", "target", "arch", "oneDNN ISA cap", "fast", "threads", "memory");
    for (const auto& p : optimize::target_profiles()) {
      if (json_) {
        j.push_back({{"name", p.name}, {"arch", p.arch}, {"onednn_isa", p.onednn_isa}, {"fast", precisions(p)},
                     {"threads", p.threads}, {"memory_budget_mb", p.memory_budget_mb}});
      } else {
        std::printf("%-20s %-7s %-18s %-15s %7d %6lld MB\n", p.name.c_str(), p.arch.c_str(), p.onednn_isa.c_str(),
                    precisions(p).c_str(), p.threads, static_cast<long long>(p.memory_budget_mb));
      }
    }
    if (json_) std::cout << j.dump(2) << "\n";
    return 0;
  }

 private:
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(TargetListCommand);

}  // namespace fogline::cli
