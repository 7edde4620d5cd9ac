// fogline plan MODEL[@V] --target T --fps 15: how many camera streams one node of the target
// runs at that frame rate, from the model's latency (per thread count) and memory measured
// under the target's ISA cap. The arithmetic and its assumptions: src/optimize/stream_plan.h.
#include <filesystem>
#include <thread>

#include "cli/command.h"
#include "cli/commands/optimize_measure.h"
#include "cli/commands/registry_eval.h"
#include "core/file_util.h"
#include "optimize/stream_plan.h"
#include "optimize/target_profile.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class PlanCommand : public Command {
 public:
  const char* name() const override { return "plan"; }
  const char* summary() const override { return "Streams per node at a frame rate, from measured latency and memory"; }
  void configure(CLI::App& app) override {
    app.add_option("model", model_, "an .onnx file or a registry version MODEL@V")->required();
    app.add_option("--target", target_, "target profile (fogline target list)")->required();
    app.add_option("--fps", fps_, "frames per second per stream")->required();
    app.add_option("--budget-mb", budget_mb_, "node memory for inference (default: the target's)");
    app.add_option("--runs", runs_, "timed runs per thread count")->default_val(30);
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "registry metadata database (default SQLite in the home)");
  }

  int run() override {
    if (!(fps_ > 0)) return fail("--fps must be above 0");
    auto target = optimize::find_target(target_);
    if (!target.is_ok()) return fail(target.status().message());
    std::string path = model_;
    if (!is_model_file(model_)) {
      auto o = registry::open_registry(home_);
      if (!o.is_ok()) return fail(o.status().message());
      auto v = o->registry->get(model_);
      if (!v.is_ok()) return fail(model_ + " is neither a model file nor a registry version: " + v.status().message());
      const registry::ArtifactRef* art = nullptr;
      for (const auto& a : v->artifacts) {
        if (a.role == "model") art = &a;
        if (a.role.rfind("external-data:", 0) == 0) return fail(v->ref() + " keeps its weights as external data; plan needs a single-file model");
      }
      if (art == nullptr) return fail(v->ref() + " has no model artifact");
      auto bytes = o->registry->home().cas().read(art->digest);
      if (!bytes.is_ok()) return fail(bytes.status().message());
      auto dir = o->registry->home().new_work_dir("plan");
      if (!dir.is_ok()) return fail(dir.status().message());
      path = *dir + "/model.onnx";
      Status st = write_file_atomic(path, *bytes);
      if (!st.is_ok()) return fail(st.message());
    }
    const double budget = budget_mb_ > 0 ? budget_mb_ : static_cast<double>(target->memory_budget_mb);
    std::vector<optimize::PlanMeasurement> ms;
    std::string cap;
    for (int t : thread_counts(*target, true)) {
      auto m = measure_latency(path, *target, t, runs_);
      if (!m.is_ok()) return fail(m.status().message());
      ms.push_back({t, m->median_ms, m->peak_rss_mb, m->arena_mb});
      cap = m->isa_cap;
    }
    size_t best = 0;
    auto rows = optimize::plan_streams(ms, target->threads, budget, fps_, &best);
    std::printf("plan for %s on %s (ISA cap %s): %d cores, %.0f MB, %.1f fps per stream\n", model_.c_str(), target->name.c_str(),
                cap.c_str(), target->threads, budget, fps_);
    std::printf("  %7s %11s %9s %13s %12s %10s %8s\n", "threads", "latency ms", "instances", "capacity fps", "memory MB", "streams", "");
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& r = rows[i];
      std::printf("%s %7d %11.2f %9d %13.1f %12.1f %10d %s\n", i == best ? "*" : " ", r.m.threads, r.m.latency_ms, r.instances,
                  r.capacity_fps, r.memory_mb, r.streams,
                  r.instances_by_memory < r.instances_by_cores ? "memory-bound" : (r.lags ? "latency > frame interval" : ""));
    }
    std::printf("=> %d stream(s) at %.1f fps per node (%d instance(s) x %d thread(s))\n", rows[best].streams, fps_,
                rows[best].instances, rows[best].m.threads);
    std::printf("assumptions: latency measured here under the target's ISA cap on %u host cores (thread counts above the\n"
                "host's are not measured); instances run side by side without slowing each other (an upper bound);\n"
                "one process holds the weights once, each extra instance adds its activation arena; decode and\n"
                "pre/post-processing are not counted.\n",
                std::thread::hardware_concurrency());
    return 0;
  }

 private:
  std::string model_, target_;
  double fps_ = 0, budget_mb_ = 0;
  int runs_ = 30;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(PlanCommand);

}  // namespace fogline::cli
