// fogline bench MODEL: latency (median/p90/min), GFLOP/s, planned arena bytes and peak RSS.
// The JSON has the ORT peer's keys (median_ms, p90_ms, min_ms, load_ms) so the two compare.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/tensor_args.h"
#include "engine/model_stats.h"
#include "engine/session.h"
#include "optimize/target_profile.h"

namespace fogline::cli {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

int64_t peak_rss_kb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

class BenchCommand : public Command {
 public:
  const char* name() const override { return "bench"; }
  const char* summary() const override { return "Time a model: median/p90/min latency, GFLOP/s, arena bytes, peak RSS"; }
  void configure(CLI::App& app) override {
    app.add_option("model", path_, "an .onnx file")->required();
    app.add_option("--threads", threads_, "threads (0: all cores)")->default_val(1);
    app.add_option("--runs", runs_, "timed runs")->default_val(50);
    app.add_option("--warmup", warmup_, "untimed runs first")->default_val(5);
    app.add_option("--dim", dims_, "NAME=1x3x224x224: the shape of an input (symbolic dims default to 1)");
    app.add_option("--input", inputs_, "NAME=FILE.npy|.pb: feed this tensor instead of random data");
    app.add_option("--disable-pass", disabled_, "switch a graph pass off (repeatable)");
    app.add_flag("--reference", reference_, "plain C++ reference kernels only");
    app.add_option("--precision", precision_, "fp32 | bf16: convolutions in bfloat16 where the CPU has it (default: the model's hint)");
    app.add_flag("--json", json_, "print one JSON line");
    app.add_flag("--profile", profile_, "print time per op type and per graph pass");
    app.add_option("--target", target_, "measure under a target profile's instruction-set cap (re-runs in a child process)");
  }

  int run() override {
    if (!target_.empty()) {  // oneDNN reads its ISA cap once per process: measure in a child
      auto target = optimize::find_target(target_);
      if (!target.is_ok()) return fail(target.status().message());
      auto code = optimize::rerun_under_target(*target);
      return code.is_ok() ? *code : fail(code.status().message());
    }
    engine::SessionOptions options;
    options.threads = threads_;
    options.reference_only = reference_;
    options.precision = precision_;
    options.disabled_passes.insert(disabled_.begin(), disabled_.end());
    auto t0 = Clock::now();
    auto session = engine::Session::open(path_, options);
    if (!session.is_ok()) return fail(session.status().message());
    double load_ms = ms_since(t0);
    const engine::Session& s = **session;

    std::map<std::string, engine::Shape> dim_overrides;
    for (const auto& d : dims_) {
      auto kv = split_assignment(d);
      if (!kv.is_ok()) return fail(kv.status().message());
      auto shape = parse_dims(kv->second);
      if (!shape.is_ok()) return fail(shape.status().message());
      dim_overrides[kv->first] = *shape;
    }
    std::map<std::string, std::string> files;
    for (const auto& in : inputs_) {
      auto kv = split_assignment(in);
      if (!kv.is_ok()) return fail(kv.status().message());
      files[kv->first] = kv->second;
    }
    PeerRandom random;
    std::vector<engine::Tensor> feeds;
    for (const auto& spec : s.inputs()) {
      if (files.count(spec.name)) {
        auto t = load_tensor_file(files[spec.name], ImageOptions{});
        if (!t.is_ok()) return fail(t.status().message());
        feeds.push_back(std::move(t).value());
        continue;
      }
      engine::Shape shape;
      if (dim_overrides.count(spec.name)) {
        shape = dim_overrides[spec.name];
      } else {
        for (const auto& d : spec.type.dims) shape.push_back(d.is_static() ? d.value : 1);
      }
      auto t = random.make(spec.type.dtype, shape);
      if (!t.is_ok()) return fail("input '" + spec.name + "': " + t.status().message());
      feeds.push_back(std::move(t).value());
    }

    for (int i = 0; i < warmup_; ++i) {
      auto out = s.run(feeds);
      if (!out.is_ok()) return fail(out.status().message());
    }
    std::vector<double> times;
    std::map<std::string, double> per_op;
    for (int i = 0; i < runs_; ++i) {
      engine::RunStats stats;
      auto start = Clock::now();
      auto out = s.run(feeds, profile_ ? &stats : nullptr);
      times.push_back(ms_since(start));
      if (!out.is_ok()) return fail(out.status().message());
      for (const auto& n : stats.nodes) per_op[n.op_type] += n.ms / runs_;
    }
    if (times.empty()) return fail("--runs must be at least 1");
    std::sort(times.begin(), times.end());
    auto q = [&](double p) { return times[std::min(times.size() - 1, static_cast<size_t>(p * times.size()))]; };
    engine::ModelStats stats = engine::compute_model_stats(s.graph());
    double median = q(0.5);
    double gflops = median > 0 ? stats.flops / (median * 1e6) : 0;

    nlohmann::json doc = {{"runtime", "fogline"}, {"model", path_}, {"threads", s.threads()},
                          {"runs", runs_}, {"load_ms", load_ms}, {"median_ms", median},
                          {"p90_ms", q(0.9)}, {"min_ms", times.front()}, {"gflops", stats.flops / 1e9},
                          {"gflop_per_s", gflops}, {"arena_bytes", s.planned_arena_bytes()},
                          {"peak_rss_kb", peak_rss_kb()}, {"isa_cap", optimize::current_isa_cap()}};
    if (json_) {
      std::cout << doc.dump() << "\n";
    } else {
      std::printf("model        %s\nthreads      %d\nload         %.2f ms\n", path_.c_str(), s.threads(), load_ms);
      std::printf("latency      median %.3f ms, p90 %.3f ms, min %.3f ms (%d runs)\n", median, q(0.9),
                  times.front(), runs_);
      std::printf("compute      %.3f GFLOP per run, %.1f GFLOP/s\n", stats.flops / 1e9, gflops);
      std::printf("memory       arena %.2f MB planned, peak RSS %.1f MB\n", s.planned_arena_bytes() / 1e6,
                  peak_rss_kb() / 1024.0);
    }
    if (profile_) {
      std::vector<std::pair<double, std::string>> ops;
      double total = 0;
      for (const auto& [op, ms] : per_op) {
        ops.emplace_back(ms, op);
        total += ms;
      }
      std::sort(ops.rbegin(), ops.rend());
      std::printf("time per op type (mean per run)\n");
      for (const auto& [ms, op] : ops) std::printf("  %-28s %9.3f ms  %5.1f%%\n", op.c_str(), ms, total > 0 ? 100 * ms / total : 0);
      std::printf("graph passes (at load)\n");
      for (const auto& p : s.pass_reports()) std::printf("  %-28s %9.3f ms  %d changes\n", p.name.c_str(), p.ms, p.changes);
    }
    return 0;
  }

 private:
  std::string path_, target_, precision_;
  int threads_ = 1, runs_ = 50, warmup_ = 5;
  std::vector<std::string> dims_, inputs_, disabled_;
  bool reference_ = false, json_ = false, profile_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(BenchCommand);

}  // namespace fogline::cli
