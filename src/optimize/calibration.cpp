#include "optimize/calibration.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "engine/onnx_tools_sandbox.h"

namespace fogline::optimize {

Result<CalibrationMethod> parse_calibration_method(const std::string& text) {
  if (text == "minmax") return CalibrationMethod::kMinMax;
  if (text == "percentile") return CalibrationMethod::kPercentile;
  if (text == "entropy" || text == "kl") return CalibrationMethod::kEntropy;
  return invalid_argument("calibration method '" + text + "': expected minmax, percentile or entropy");
}

const char* calibration_method_name(CalibrationMethod method) {
  switch (method) {
    case CalibrationMethod::kMinMax: return "minmax";
    case CalibrationMethod::kPercentile: return "percentile";
    case CalibrationMethod::kEntropy: return "entropy";
  }
  return "?";
}

void AbsHistogram::add(const float* x, int64_t n) {
  if (counts.empty() || !(max_abs > 0)) return;
  const double scale = counts.size() / max_abs;
  const size_t last = counts.size() - 1;
  for (int64_t i = 0; i < n; ++i) {
    double a = std::fabs(static_cast<double>(x[i]));
    // Exact zeros (half of every ReLU output) are exact in any quantisation and say nothing
    // about where to clip; counted, their spike in bin 0 makes every wide level look lossy
    // and drives the KL search to a needlessly small threshold.
    if (!std::isfinite(a) || a == 0.0) continue;
    counts[static_cast<size_t>(std::min(static_cast<double>(last), a * scale))] += 1;
  }
}

double percentile_threshold(const AbsHistogram& h, double percentile) {
  double total = 0;
  for (double c : h.counts) total += c;
  if (total <= 0) return h.max_abs;
  const double target = total * std::clamp(percentile, 0.0, 100.0) / 100.0;
  double seen = 0;
  for (size_t i = 0; i < h.counts.size(); ++i) {
    seen += h.counts[i];
    if (seen >= target) return (i + 1) * h.bin_width();
  }
  return h.max_abs;
}

namespace {

// KL(p || q) over bins where p > 0; both normalised here. q == 0 where p > 0 is infinite
// information loss, approximated with a tiny q as TensorRT's reference does.
double kl_divergence(const std::vector<double>& p, const std::vector<double>& q) {
  double ps = 0, qs = 0;
  for (double v : p) ps += v;
  for (double v : q) qs += v;
  if (ps <= 0 || qs <= 0) return std::numeric_limits<double>::infinity();
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] <= 0) continue;
    double pi = p[i] / ps;
    double qi = q[i] > 0 ? q[i] / qs : 1e-12;
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

}  // namespace

double entropy_threshold(const AbsHistogram& h, int quantized_bins) {
  const int bins = static_cast<int>(h.counts.size());
  if (bins == 0 || quantized_bins <= 0) return h.max_abs;
  if (bins <= quantized_bins) return h.max_abs;
  double best_kl = std::numeric_limits<double>::infinity();
  int best_i = bins;
  std::vector<double> p, q;
  for (int i = quantized_bins; i <= bins; ++i) {
    // Reference: the first i bins, with everything beyond folded into the last (clipping).
    p.assign(h.counts.begin(), h.counts.begin() + i);
    double outliers = 0;
    for (int j = i; j < bins; ++j) outliers += h.counts[j];
    p[i - 1] += outliers;
    // Candidate: the first i bins merged into `quantized_bins` levels, each level's mass
    // spread evenly over the bins of that level that were non-zero.
    q.assign(static_cast<size_t>(i), 0.0);
    const double per_level = static_cast<double>(i) / quantized_bins;
    for (int level = 0; level < quantized_bins; ++level) {
      int start = static_cast<int>(std::floor(level * per_level));
      int stop = level == quantized_bins - 1 ? i : static_cast<int>(std::floor((level + 1) * per_level));
      double mass = 0;
      int nonzero = 0;
      for (int j = start; j < stop; ++j) {
        mass += h.counts[j];
        nonzero += h.counts[j] > 0 ? 1 : 0;
      }
      if (nonzero == 0) continue;
      for (int j = start; j < stop; ++j) {
        if (h.counts[j] > 0) q[j] = mass / nonzero;
      }
    }
    double kl = kl_divergence(p, q);
    if (kl < best_kl) {
      best_kl = kl;
      best_i = i;
    }
  }
  // TensorRT's threshold is the centre of the last kept bin; never beyond the data.
  return std::min(h.max_abs, (best_i + 0.5) * h.bin_width());
}

TensorRange choose_range(float min, float max, const AbsHistogram* histogram, const CalibrationOptions& options) {
  TensorRange r;
  r.min = min;
  r.max = max;
  r.lo = std::min(min, 0.0f);
  r.hi = std::max(max, 0.0f);
  r.threshold = std::max(std::fabs(r.lo), std::fabs(r.hi));
  if (options.method == CalibrationMethod::kMinMax || histogram == nullptr) return r;
  // TensorRT's 128 levels are the positive half of symmetric int8; a non-negative tensor in
  // u8 spends all 256 levels on [0, T], so its KL search compares against 256 levels.
  const int levels = min >= 0 ? 2 * options.quantized_bins : options.quantized_bins;
  double t = options.method == CalibrationMethod::kPercentile ? percentile_threshold(*histogram, options.percentile)
                                                              : entropy_threshold(*histogram, levels);
  r.threshold = t;
  r.lo = std::max(r.lo, static_cast<float>(-t));
  r.hi = std::min(r.hi, static_cast<float>(t));
  return r;
}

Result<std::map<std::string, TensorRange>> calibrate(const onnx::ModelProto& model,
                                                     const std::vector<std::string>& tensors,
                                                     const SampleSource& samples, int64_t count,
                                                     const CalibrationOptions& options) {
  if (count <= 0) return invalid_argument("calibration needs at least one sample");
  // The statistics model: every tensor of interest becomes a graph output.
  onnx::ModelProto stats_model = model;
  // Outputs carry their inferred types where shape inference knows them.
  std::map<std::string, onnx::TypeProto> inferred;
  {
    onnx::ModelProto copy = model;
    engine::OnnxToolsOptions tools;
    tools.check = false;
    tools.infer_shapes = true;
    if (engine::run_onnx_tools(copy, tools).is_ok()) {
      for (const auto& vi : copy.graph().value_info()) inferred[vi.name()] = vi.type();
    }
  }
  auto* graph = stats_model.mutable_graph();
  std::map<std::string, bool> already;
  for (const auto& o : graph->output()) already[o.name()] = true;
  for (const auto& name : tensors) {
    if (already[name]) continue;
    auto* vi = graph->add_output();
    vi->set_name(name);
    if (auto it = inferred.find(name); it != inferred.end()) {
      *vi->mutable_type() = it->second;
    } else {
      vi->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    }
    already[name] = true;
  }
  std::string bytes;
  if (!stats_model.SerializeToString(&bytes)) return internal_error("could not serialise the statistics model");
  // The model was checked when it was loaded; outputs without a known shape are fine here.
  engine::SessionOptions session_options = options.session;
  session_options.import.run_checker = false;
  auto session = engine::Session::from_bytes(bytes, session_options);
  if (!session.is_ok()) return session.status().with_context("loading the calibration model");
  const auto& outputs = (*session)->outputs();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < outputs.size(); ++i) index[outputs[i].name] = i;

  struct Stats {
    float min = std::numeric_limits<float>::infinity();
    float max = -std::numeric_limits<float>::infinity();
    AbsHistogram hist;
  };
  std::map<std::string, Stats> stats;
  for (const auto& name : tensors) stats[name];

  const bool need_histogram = options.method != CalibrationMethod::kMinMax;
  // Pass 1: min/max. Pass 2 (histogram methods): |x| histograms over [0, max|x|].
  for (int pass = 0; pass < (need_histogram ? 2 : 1); ++pass) {
    if (pass == 1) {
      for (auto& [name, s] : stats) {
        s.hist.max_abs = std::max(std::fabs(s.min), std::fabs(s.max));
        if (!std::isfinite(s.hist.max_abs)) s.hist.max_abs = 0;
        s.hist.counts.assign(static_cast<size_t>(options.histogram_bins), 0.0);
      }
    }
    for (int64_t i = 0; i < count; ++i) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<engine::Tensor> inputs, samples(i));
      auto out = (*session)->run(inputs);
      if (!out.is_ok()) return out.status().with_context("calibration sample " + std::to_string(i));
      for (auto& [name, s] : stats) {
        const engine::Tensor* t = nullptr;
        if (auto it = index.find(name); it != index.end()) {
          t = &(*out)[it->second];
        } else {
          for (size_t k = 0; k < (*session)->inputs().size(); ++k) {
            if ((*session)->inputs()[k].name == name && k < inputs.size()) t = &inputs[k];
          }
        }
        if (t == nullptr) return not_found("tensor '" + name + "' is neither an output nor an input of the calibration model");
        if (t->dtype() != engine::DataType::kFloat) return invalid_argument("tensor '" + name + "' is not float32");
        const float* d = t->data<float>();
        if (pass == 0) {
          for (int64_t k = 0; k < t->numel(); ++k) {
            if (!std::isfinite(d[k])) continue;
            s.min = std::min(s.min, d[k]);
            s.max = std::max(s.max, d[k]);
          }
        } else {
          s.hist.add(d, t->numel());
        }
      }
    }
  }
  std::map<std::string, TensorRange> ranges;
  for (auto& [name, s] : stats) {
    if (s.min > s.max) s.min = s.max = 0;  // never saw a finite value
    ranges[name] = choose_range(s.min, s.max, need_histogram ? &s.hist : nullptr, options);
  }
  return ranges;
}

}  // namespace fogline::optimize
