#include "optimize/accuracy_control.h"

#include <algorithm>
#include <cstdio>

#include "engine/onnx_tools_sandbox.h"
#include "engine/session.h"
#include "optimize/onnx_model.h"

namespace fogline::optimize {
namespace {

using Outputs = std::vector<std::vector<engine::Tensor>>;

Result<Outputs> run_all(const onnx::ModelProto& model, const SampleSource& samples, int64_t n,
                        const engine::SessionOptions& session_options) {
  FOGLINE_ASSIGN_OR_RETURN(auto session, engine::Session::from_bytes(model.SerializeAsString(), session_options));
  Outputs all;
  for (int64_t i = 0; i < n; ++i) {
    FOGLINE_ASSIGN_OR_RETURN(auto inputs, samples(i));
    FOGLINE_ASSIGN_OR_RETURN(auto out, session->run(inputs));
    all.push_back(std::move(out));
  }
  return all;
}

std::string fmt_metric(const char* what, double v) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s %.4f", what, v);
  return buf;
}

}  // namespace

std::map<std::string, double> layer_macs(const onnx::ModelProto& model_in) {
  onnx::ModelProto model = model_in;
  engine::OnnxToolsOptions tools;
  tools.check = false;
  tools.infer_shapes = true;
  std::map<std::string, std::vector<int64_t>> shapes;  // symbolic or unknown dims as 1
  auto note = [&](const onnx::ValueInfoProto& vi) {
    if (!vi.type().has_tensor_type() || !vi.type().tensor_type().has_shape()) return;
    std::vector<int64_t> dims;
    for (const auto& d : vi.type().tensor_type().shape().dim()) dims.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : 1);
    shapes[vi.name()] = std::move(dims);
  };
  if (engine::run_onnx_tools(model, tools).is_ok()) {
    for (const auto& vi : model.graph().value_info()) note(vi);
  }
  for (const auto& vi : model.graph().output()) note(vi);
  for (const auto& init : model.graph().initializer()) {
    shapes[init.name()] = std::vector<int64_t>(init.dims().begin(), init.dims().end());
  }
  auto product = [](const std::vector<int64_t>& d, size_t from) {
    double p = 1;
    for (size_t i = from; i < d.size(); ++i) p *= static_cast<double>(d[i]);
    return p;
  };
  std::map<std::string, double> macs;
  for (const auto& n : model.graph().node()) {
    if (n.output_size() < 1 || n.input_size() < 2) continue;
    auto out = shapes.find(n.output(0));
    auto w = shapes.find(n.input(1));
    if (out == shapes.end() || w == shapes.end() || out->second.empty() || w->second.size() < 2) continue;
    if (n.op_type() == "Conv") {
      // Each output element sums C/group x kh x kw products: the weight's dims after the first.
      macs[n.name()] = product(out->second, 0) * product(w->second, 1);
    } else if (n.op_type() == "MatMul" || n.op_type() == "Gemm") {
      bool trans_b = false;
      for (const auto& a : n.attribute()) trans_b = trans_b || (a.name() == "transB" && a.i() != 0);
      const int64_t k = n.op_type() == "Gemm" && trans_b ? w->second.back() : w->second[w->second.size() - 2];
      macs[n.name()] = product(out->second, 0) * static_cast<double>(k);
    }
  }
  return macs;
}

void rank_layers(std::vector<LayerSensitivity>* ranking, bool cost_aware) {
  constexpr double kFloorMmac = 0.05;
  for (auto& s : *ranking) {
    s.priority = cost_aware && s.macs > 0 ? s.score / std::max(kFloorMmac, s.macs / 1e6) : s.score;
  }
  std::stable_sort(ranking->begin(), ranking->end(), [](const LayerSensitivity& a, const LayerSensitivity& b) {
    const bool pa = a.score > 0, pb = b.score > 0;
    if (pa != pb) return pa;
    return pa ? a.priority > b.priority : a.score > b.score;
  });
}

double relative_output_error(const Outputs& reference, const Outputs& outputs) {
  double total = 0;
  size_t n = std::min(reference.size(), outputs.size());
  for (size_t s = 0; s < n; ++s) {
    double num = 0, den = 0;
    for (size_t k = 0; k < reference[s].size() && k < outputs[s].size(); ++k) {
      const auto& r = reference[s][k];
      const auto& y = outputs[s][k];
      if (r.dtype() != engine::DataType::kFloat || y.dtype() != engine::DataType::kFloat || r.numel() != y.numel()) continue;
      const float* rp = r.data<float>();
      const float* yp = y.data<float>();
      for (int64_t i = 0; i < r.numel(); ++i) {
        const double d = static_cast<double>(yp[i]) - rp[i];
        num += d * d;
        den += static_cast<double>(rp[i]) * rp[i];
      }
    }
    total += den > 0 ? num / den : num;
  }
  return n == 0 ? 0 : total / static_cast<double>(n);
}

Result<AccuracyControlResult> control_accuracy(const onnx::ModelProto& fp32, const VariantBuilder& build,
                                               const SampleSource& samples, int64_t count,
                                               const AccuracyControlOptions& options, const MetricFn& metric) {
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  const std::string& low = options.precision;
  AccuracyControlResult result;
  FOGLINE_ASSIGN_OR_RETURN(result.model, build({}));

  FOGLINE_ASSIGN_OR_RETURN(double m0, metric(result.model));
  result.steps.push_back({{}, m0, options.tolerance.holds(options.baseline, m0)});
  result.final_metric = m0;
  log(fmt_metric(("all " + low + ":").c_str(), m0));
  if (result.steps.back().holds || options.max_kept <= 0) {
    result.holds = result.steps.back().holds;
    return result;
  }

  // Rank the weighted layers by the proxy.
  const int64_t n_rank = std::max<int64_t>(1, std::min<int64_t>(count, options.ranking_samples));
  FOGLINE_ASSIGN_OR_RETURN(Outputs reference, run_all(fp32, samples, n_rank, options.session));
  FOGLINE_ASSIGN_OR_RETURN(Outputs low_out, run_all(result.model, samples, n_rank, options.session));
  result.variant_error = relative_output_error(reference, low_out);
  const std::map<std::string, double> macs = layer_macs(fp32);
  std::vector<std::pair<std::string, std::string>> layers;
  for (const auto& n : fp32.graph().node()) {
    if (options.layer_ops.count(n.op_type()) && !n.name().empty() && !options.always_fp32.count(n.name())) {
      layers.emplace_back(n.name(), n.op_type());
    }
  }
  int done = 0;
  for (const auto& [name, op] : layers) {
    FOGLINE_ASSIGN_OR_RETURN(onnx::ModelProto m, build({name}));
    FOGLINE_ASSIGN_OR_RETURN(Outputs out, run_all(m, samples, n_rank, options.session));
    LayerSensitivity s{name, op, relative_output_error(reference, out), 0};
    s.score = result.variant_error - s.error;
    if (auto it = macs.find(name); it != macs.end()) s.macs = it->second;
    result.ranking.push_back(s);
    if (++done % 10 == 0) log("ranked " + std::to_string(done) + "/" + std::to_string(layers.size()) + " layers");
  }
  rank_layers(&result.ranking, options.cost_aware);

  // Put the worst back, `group` at a time, until the tolerance holds.
  std::vector<std::string> kept;
  size_t next = 0;
  const int group = std::max(1, options.group);
  while (next < result.ranking.size() && static_cast<int>(kept.size()) < options.max_kept) {
    for (int g = 0; g < group && next < result.ranking.size() && static_cast<int>(kept.size()) < options.max_kept; ++g) {
      kept.push_back(result.ranking[next++].node);
    }
    FOGLINE_ASSIGN_OR_RETURN(onnx::ModelProto m, build(std::set<std::string>(kept.begin(), kept.end())));
    FOGLINE_ASSIGN_OR_RETURN(double v, metric(m));
    const bool ok = options.tolerance.holds(options.baseline, v);
    result.steps.push_back({kept, v, ok});
    result.model = std::move(m);
    result.final_kept = kept;
    result.final_metric = v;
    log(fmt_metric(("keep " + std::to_string(kept.size()) + " in fp32 (" + kept.back() + "):").c_str(), v));
    if (ok) {
      result.holds = true;
      break;
    }
  }
  if (!result.holds) {
    // Nothing held: report the best step (fewest layers on ties), not merely the last one.
    size_t best = 0;
    for (size_t i = 1; i < result.steps.size(); ++i) {
      if (result.steps[i].metric > result.steps[best].metric) best = i;
    }
    if (best + 1 != result.steps.size()) {
      const auto& best_kept = result.steps[best].kept;
      FOGLINE_ASSIGN_OR_RETURN(result.model, build(std::set<std::string>(best_kept.begin(), best_kept.end())));
      result.final_kept = best_kept;
      result.final_metric = result.steps[best].metric;
    }
    return result;
  }
  if (!options.prune || kept.size() < 2) return result;
  for (size_t k = kept.size(); k-- > 0 && result.final_kept.size() > 1;) {
    std::vector<std::string> trial;
    for (const auto& name : result.final_kept) {
      if (name != kept[k]) trial.push_back(name);
    }
    FOGLINE_ASSIGN_OR_RETURN(onnx::ModelProto m, build(std::set<std::string>(trial.begin(), trial.end())));
    FOGLINE_ASSIGN_OR_RETURN(double v, metric(m));
    const bool ok = options.tolerance.holds(options.baseline, v);
    result.steps.push_back({trial, v, ok});
    log(fmt_metric(("prune " + kept[k] + (ok ? " (back to " + low + "):" : " (stays fp32):")).c_str(), v));
    if (ok) {
      result.model = std::move(m);
      result.final_kept = trial;
      result.final_metric = v;
    }
  }
  return result;
}

Result<AccuracyControlResult> quantize_with_accuracy_control(const onnx::ModelProto& fp32_in, const SampleSource& samples,
                                                             int64_t count, const QuantizeOptions& quantize,
                                                             const AccuracyControlOptions& options, const MetricFn& metric) {
  // Upgrade once here rather than in every quantisation below (the converter is slow).
  onnx::ModelProto fp32 = fp32_in;
  if (default_opset(fp32) < 13) {
    engine::OnnxToolsOptions tools;
    tools.check = false;
    tools.infer_shapes = false;
    tools.convert_to_opset = 13;
    auto outcome = engine::run_onnx_tools(fp32, tools);
    if (!outcome.is_ok()) return outcome.status().with_context("upgrading the model to opset 13");
  }
  // Calibration runs once: every variant reuses its ranges.
  QuantizeOptions base = quantize;
  onnx::ModelProto all_int8 = fp32;
  FOGLINE_ASSIGN_OR_RETURN(QuantizeReport first, quantize_static(&all_int8, samples, count, base));
  const std::map<std::string, TensorRange> ranges = first.ranges;
  base.known_ranges = &ranges;
  VariantBuilder build = [&](const std::set<std::string>& kept) -> Result<onnx::ModelProto> {
    if (kept.empty()) return all_int8;
    QuantizeOptions q = base;
    q.keep_fp32.insert(kept.begin(), kept.end());
    onnx::ModelProto m = fp32;
    FOGLINE_TRY(quantize_static(&m, samples, count, q).status());
    return m;
  };
  AccuracyControlOptions o = options;
  o.always_fp32.insert(quantize.keep_fp32.begin(), quantize.keep_fp32.end());
  FOGLINE_ASSIGN_OR_RETURN(AccuracyControlResult result, control_accuracy(fp32, build, samples, count, o, metric));
  // The report of the model kept (quantising again is deterministic with known ranges).
  QuantizeOptions q = base;
  q.keep_fp32.insert(result.final_kept.begin(), result.final_kept.end());
  onnx::ModelProto m = fp32;
  FOGLINE_ASSIGN_OR_RETURN(result.report, quantize_static(&m, samples, count, q));
  return result;
}

}  // namespace fogline::optimize
