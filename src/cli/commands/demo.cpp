// fogline demo: what `make demo` runs. Writes its own model, runs it through the optimised
// and the reference engine, then runs every real model in $FOGLINE_SHARED/models against its
// reference outputs, and prints what it found.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/command.h"
#include "cli/demo_model.h"
#include "cli/tensor_args.h"
#include "core/file_util.h"
#include "engine/conformance.h"
#include "engine/model_stats.h"
#include "engine/session.h"
#include "engine/tensor_io.h"

namespace fogline::cli {
namespace {

namespace fs = std::filesystem;
using engine::Session;
using engine::Tensor;

double time_runs(const Session& s, const std::vector<Tensor>& feeds, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto out = s.run(feeds);
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (!out.is_ok()) return -1;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

std::vector<std::string> read_lines(const fs::path& p) {
  std::vector<std::string> lines;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int64_t argmax(const Tensor& t) {
  int64_t best = 0;
  for (int64_t i = 1; i < t.numel(); ++i) {
    if (t.value_as_double(i) > t.value_as_double(best)) best = i;
  }
  return best;
}

struct Detection {
  float x0, y0, x1, y1, score;
  int cls;
};

// YOLOX head decoding (grids at strides 8/16/32, score = objectness x class) + class-wise NMS.
std::vector<Detection> decode_yolox(const Tensor& out, int size, float threshold, float iou) {
  std::vector<Detection> dets;
  const float* p = out.data<float>();
  const int64_t rows = out.shape()[1], cols = out.shape()[2];
  int64_t row = 0;
  for (int stride : {8, 16, 32}) {
    int g = size / stride;
    for (int y = 0; y < g; ++y) {
      for (int x = 0; x < g && row < rows; ++x, ++row) {
        const float* r = p + row * cols;
        int best = 0;
        for (int c = 1; c < cols - 5; ++c) best = r[5 + c] > r[5 + best] ? c : best;
        float score = r[4] * r[5 + best];
        if (score < threshold) continue;
        float cx = (r[0] + x) * stride, cy = (r[1] + y) * stride;
        float w = std::exp(r[2]) * stride, h = std::exp(r[3]) * stride;
        dets.push_back({cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, best});
      }
    }
  }
  std::sort(dets.begin(), dets.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const auto& d : dets) {
    bool keep = true;
    for (const auto& k : kept) {
      if (k.cls != d.cls) continue;
      float ix = std::max(0.0f, std::min(k.x1, d.x1) - std::max(k.x0, d.x0));
      float iy = std::max(0.0f, std::min(k.y1, d.y1) - std::max(k.y0, d.y0));
      float inter = ix * iy;
      float uni = (k.x1 - k.x0) * (k.y1 - k.y0) + (d.x1 - d.x0) * (d.y1 - d.y0) - inter;
      if (uni > 0 && inter / uni > iou) keep = false;
    }
    if (keep) kept.push_back(d);
  }
  return kept;
}

class DemoCommand : public Command {
 public:
  const char* name() const override { return "demo"; }
  const char* summary() const override {
    return "Run the engine on a model it writes itself and on the real models in $FOGLINE_SHARED/models";
  }
  void configure(CLI::App& app) override {
    app.add_option("--out", out_dir_, "where to write the demo model")->default_val("out/demo");
    app.add_option("--threads", threads_, "threads")->default_val(2);
  }
  int run() override {
    int problems = 0;
    problems += own_model();
    const char* env = std::getenv("FOGLINE_SHARED");
    fs::path shared = env ? env : "../shared";
    if (!fs::exists(shared / "models")) {
      std::printf("\n%s/models not found: set FOGLINE_SHARED to run the real models too\n", shared.c_str());
    } else {
      problems += reference_models(shared / "models");
    }
    std::printf("\n%s\n", problems == 0 ? "demo: every check passed" : "demo: some checks FAILED (see above)");
    return problems == 0 ? 0 : 1;
  }

 private:
  void check(bool ok, const std::string& what, int& problems) {
    std::printf("  [%s] %s\n", ok ? " ok " : "FAIL", what.c_str());
    if (!ok) ++problems;
  }

  int own_model() {
    int problems = 0;
    std::printf("== 1. A model Fogline writes itself\n");
    fs::create_directories(out_dir_);
    std::string path = (fs::path(out_dir_) / "demo_classifier.onnx").string();
    Status st = write_file_atomic(path, make_demo_classifier());
    if (!st.is_ok()) return fail(st.message());
    engine::SessionOptions fast;
    fast.threads = threads_;
    engine::SessionOptions plain = fast;
    plain.reference_only = true;
    plain.optimize = false;
    auto s1 = Session::open(path, fast);
    auto s2 = Session::open(path, plain);
    if (!s1.is_ok() || !s2.is_ok()) {
      std::printf("  cannot load %s: %s\n", path.c_str(), (s1.is_ok() ? s2 : s1).status().message().c_str());
      return 1;
    }
    auto stats = engine::compute_model_stats((*s2)->graph());
    std::printf("  wrote %s: %zu nodes, %lld parameters, %.2f MFLOP\n", path.c_str(), (*s2)->graph().nodes.size(),
                static_cast<long long>(stats.parameters), stats.flops / 1e6);
    std::printf("  after graph passes: %zu nodes (", (*s1)->graph().nodes.size());
    for (const auto& p : (*s1)->pass_reports()) std::printf(" %s:%d", p.name.c_str(), p.changes);
    std::printf(" )\n");
    PeerRandom random;
    auto image = random.make(engine::DataType::kFloat, {1, 3, 32, 32});
    auto a = (*s1)->run({*image});
    auto b = (*s2)->run({*image});
    if (!a.is_ok() || !b.is_ok()) {
      std::printf("  run failed: %s\n", (a.is_ok() ? b : a).status().message().c_str());
      return 1;
    }
    double max_abs = 0, max_rel = 0;
    std::string diff = engine::compare_tensors((*b)[0], (*a)[0], 1e-4, 1e-6, &max_abs, &max_rel);
    std::printf("  %s\n", describe_tensor("probabilities", (*a)[0], 10).c_str());
    check(diff.empty(), "optimised engine (fused, oneDNN) = reference engine (max abs diff " +
                            std::to_string(max_abs) + ")", problems);
    double sum = 0;
    for (int64_t i = 0; i < (*a)[0].numel(); ++i) sum += (*a)[0].value_as_double(i);
    check(std::fabs(sum - 1) < 1e-4, "probabilities sum to 1", problems);
    std::printf("  latency: optimised %.3f ms, reference %.3f ms; planned arena %llu bytes\n",
                time_runs(**s1, {*image}, 20), time_runs(**s2, {*image}, 5),
                static_cast<unsigned long long>((*s1)->planned_arena_bytes()));
    return problems;
  }

  // Runs `model` on test_data_set_*/input_*.pb and compares with output_*.pb.
  Result<std::vector<Tensor>> run_set(const Session& s, const fs::path& set) {
    std::vector<Tensor> inputs;
    for (size_t i = 0; fs::exists(set / ("input_" + std::to_string(i) + ".pb")); ++i) {
      FOGLINE_ASSIGN_OR_RETURN(Tensor t, engine::read_tensor_pb((set / ("input_" + std::to_string(i) + ".pb")).string()));
      inputs.push_back(std::move(t));
    }
    return s.run(inputs);
  }

  int reference_models(const fs::path& models) {
    int problems = 0;
    engine::SessionOptions opts;
    opts.threads = threads_;
    std::printf("\n== 2. Real models from %s\n", models.c_str());

    struct Case {
      std::string name, file;
      double rtol;
    };
    for (const Case& c : {Case{"mnist-8", "mnist-8/model.onnx", 1e-3},
                          Case{"super-resolution-10", "super-resolution-10/model.onnx", 1e-3}}) {
      auto s = Session::open((models / c.file).string(), opts);
      if (!s.is_ok()) {
        check(false, c.name + " loads: " + s.status().message(), problems);
        continue;
      }
      for (const auto& set : sorted_sets(models / c.file).value_or(std::vector<fs::path>{})) {
        auto out = run_set(**s, set);
        auto want = engine::read_tensor_pb((set / "output_0.pb").string());
        if (!out.is_ok() || !want.is_ok()) {
          check(false, c.name + " " + set.filename().string() + ": " + (out.is_ok() ? want.status() : out.status()).message(), problems);
          continue;
        }
        double max_abs = 0, max_rel = 0;
        std::string diff = engine::compare_tensors(*want, (*out)[0], c.rtol, 1e-5, &max_abs, &max_rel);
        std::string extra = c.name == "mnist-8" ? ", digit " + std::to_string(argmax((*out)[0])) +
                                                      " (reference " + std::to_string(argmax(*want)) + ")"
                                                : "";
        char buf[128];
        std::snprintf(buf, sizeof(buf), " matches the reference (max abs %.3g, max rel %.3g)", max_abs, max_rel);
        check(diff.empty(), c.name + " " + set.filename().string() + buf + extra, problems);
      }
      std::printf("         %s: median latency %.3f ms\n", c.name.c_str(), bench_once(**s));
    }

    // mobilenetv2-12-int8: reference outputs computed by OpenCV DNN.
    {
      fs::path dir = models / "mobilenetv2-12-int8";
      auto s = Session::open((dir / "mobilenetv2-12-int8.onnx").string(), opts);
      if (!s.is_ok()) {
        check(false, "mobilenetv2-12-int8 loads: " + s.status().message(), problems);
      } else {
        auto labels = read_lines(dir / "synset_words.txt");
        for (const auto& set : sorted_dirs(dir / "reference_opencv")) {
          auto out = run_set(**s, set);
          auto want = engine::read_tensor_pb((set / "output_0.pb").string());
          if (!out.is_ok() || !want.is_ok()) {
            check(false, "mobilenetv2-12-int8: " + (out.is_ok() ? want.status() : out.status()).message(), problems);
            continue;
          }
          int64_t got = argmax((*out)[0]), ref = argmax(*want);
          std::string label = got < static_cast<int64_t>(labels.size()) ? labels[got].substr(10) : "?";
          check(got == ref, "mobilenetv2-12-int8 " + set.filename().string() + ": top-1 '" + label +
                                "' (OpenCV: class " + std::to_string(ref) + ")", problems);
        }
        std::printf("         mobilenetv2-12-int8: median latency %.3f ms\n", bench_once(**s));
      }
    }

    // yolox-nano on bus.jpg, preprocessed by the reference.
    {
      fs::path dir = models / "yolox-nano";
      auto s = Session::open((dir / "yolox_nano.onnx").string(), opts);
      if (!s.is_ok()) {
        check(false, "yolox-nano loads: " + s.status().message(), problems);
      } else {
        auto names = read_lines(dir / "coco_classes.txt");
        for (const auto& set : sorted_dirs(dir / "reference_opencv")) {
          auto out = run_set(**s, set);
          auto want = engine::read_tensor_pb((set / "output_0.pb").string());
          if (!out.is_ok() || !want.is_ok()) {
            check(false, "yolox-nano: " + (out.is_ok() ? want.status() : out.status()).message(), problems);
            continue;
          }
          auto dets = decode_yolox((*out)[0], 416, 0.3f, 0.45f);
          auto ref = decode_yolox(*want, 416, 0.3f, 0.45f);
          std::string found;
          for (const auto& d : dets) {
            char buf[64];
            std::snprintf(buf, sizeof(buf), "%s%s %.2f", found.empty() ? "" : ", ",
                          d.cls < static_cast<int>(names.size()) ? names[d.cls].c_str() : "?", d.score);
            found += buf;
          }
          bool same = dets.size() == ref.size();
          for (size_t i = 0; same && i < dets.size(); ++i) same = dets[i].cls == ref[i].cls;
          check(same, "yolox-nano " + set.filename().string() + ": " + found + " (same as OpenCV)", problems);
        }
        std::printf("         yolox-nano: median latency %.3f ms\n", bench_once(**s));
      }
    }
    return problems;
  }

  double bench_once(const Session& s) {
    PeerRandom random;
    std::vector<Tensor> feeds;
    for (const auto& in : s.inputs()) {
      engine::Shape shape;
      for (const auto& d : in.type.dims) shape.push_back(d.is_static() ? d.value : 1);
      auto t = random.make(in.type.dtype, shape);
      if (!t.is_ok()) return -1;
      feeds.push_back(std::move(t).value());
    }
    time_runs(s, feeds, 2);
    return time_runs(s, feeds, 10);
  }

  static std::optional<std::vector<fs::path>> sorted_sets(const fs::path& model_file) {
    return sorted_dirs(model_file.parent_path());
  }
  static std::vector<fs::path> sorted_dirs(const fs::path& dir) {
    std::vector<fs::path> sets;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
    }
    std::sort(sets.begin(), sets.end());
    return sets;
  }

  std::string out_dir_;
  int threads_ = 2;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DemoCommand);

}  // namespace fogline::cli
