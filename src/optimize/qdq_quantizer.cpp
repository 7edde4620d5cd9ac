#include "optimize/qdq_quantizer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "engine/onnx_tools_sandbox.h"
#include "engine/tensor_io.h"
#include "optimize/onnx_model.h"
#include "optimize/quant_math.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;

// Per-axis DequantizeLinear (the `axis` attribute) needs opset 13.
constexpr int kMinOpset = 13;

bool is_weighted(const std::string& op) { return op == "Conv" || op == "Gemm" || op == "MatMul"; }

// Element types of every value, from ONNX shape inference on a copy.
Result<std::unordered_map<std::string, int>> value_types(const onnx::ModelProto& model) {
  onnx::ModelProto copy = model;
  engine::OnnxToolsOptions tools;
  tools.check = false;
  tools.infer_shapes = true;
  auto outcome = engine::run_onnx_tools(copy, tools);
  if (!outcome.is_ok()) return outcome.status().with_context("shape inference");
  std::unordered_map<std::string, int> types;
  const auto& g = copy.graph();
  for (const auto& v : g.input()) types[v.name()] = v.type().tensor_type().elem_type();
  for (const auto& v : g.output()) types[v.name()] = v.type().tensor_type().elem_type();
  for (const auto& v : g.value_info()) types[v.name()] = v.type().tensor_type().elem_type();
  for (const auto& i : g.initializer()) types[i.name()] = i.data_type();
  return types;
}

class Quantizer {
 public:
  Quantizer(onnx::ModelProto* model, const QuantizeOptions& options) : model_(model), options_(options) {}

  Result<QuantizeReport> run(const SampleSource& samples, int64_t count) {
    // Before anything looks for constant weights and biases: a Conv reading its weight through
    // Identity(initializer) was left float, one reading its bias that way kept a float bias the
    // engine's DQ -> Conv -> Q fusion (which runs before constant folding) does not accept. The
    // written file then reads plain initializers, as ONNX Runtime's quantiser writes them.
    report_.constant_identities = bypass_constant_identities(model_->mutable_graph());
    report_.opset = default_opset(*model_);
    if (report_.opset < kMinOpset) {
      engine::OnnxToolsOptions tools;
      tools.check = false;
      tools.infer_shapes = false;
      tools.convert_to_opset = kMinOpset;
      auto outcome = engine::run_onnx_tools(*model_, tools);
      if (!outcome.is_ok()) return outcome.status().with_context("upgrading the model to opset 13 for per-channel DequantizeLinear");
      if (default_opset(*model_) < kMinOpset) return unsupported("the model could not be converted to opset 13 (needed for per-channel DequantizeLinear)");
      report_.opset_upgraded = true;
      report_.opset = default_opset(*model_);
    }
    FOGLINE_ASSIGN_OR_RETURN(types_, value_types(*model_));
    FOGLINE_TRY(plan());
    std::vector<std::string> tensors;
    for (const auto& [name, source] : points_) {
      if (options_.known_ranges != nullptr && options_.known_ranges->count(name)) {
        report_.ranges[name] = options_.known_ranges->at(name);
      } else {
        tensors.push_back(name);
      }
    }
    if (!tensors.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(auto fresh, calibrate(*model_, tensors, samples, count, options_.calibration));
      for (auto& [name, r] : fresh) report_.ranges[name] = r;
    }
    // Graph inputs keep their observed range whatever the method: they are the data as given
    // (pixels), clipping them only loses what the sensor saw, and 0..255 pixels at scale 1
    // are exact in u8.
    for (const auto& in : graph().input()) {
      auto it = report_.ranges.find(in.name());
      if (it == report_.ranges.end()) continue;
      it->second.lo = std::min(it->second.min, 0.0f);
      it->second.hi = std::max(it->second.max, 0.0f);
    }
    FOGLINE_TRY(rewrite());
    report_.activations = static_cast<int>(points_.size());
    return report_;
  }

 private:
  const onnx::GraphProto& graph() const { return model_->graph(); }

  bool is_float(const std::string& name) const {
    auto it = types_.find(name);
    return it != types_.end() && it->second == onnx::TensorProto::FLOAT;
  }

  bool is_graph_output(const std::string& name) const {
    for (const auto& o : graph().output()) {
      if (o.name() == name) return true;
    }
    return false;
  }

  // A Relu or Clip(0, x) that the output quantisation can replace exactly.
  bool foldable_activation(const onnx::NodeProto& a, const Constants& constants) const {
    if (options_.keep_fp32.count(a.name())) return false;
    if (a.op_type() == "Relu") return true;
    if (a.op_type() != "Clip") return false;
    if (a.input_size() >= 2 && !a.input(1).empty()) {
      auto lo = constants.get(a.input(1));
      return lo.is_ok() && lo->numel() == 1 && lo->value_as_double(0) == 0.0;
    }
    const auto* attr = find_attribute(a, "min");
    return attr != nullptr && attr->f() == 0.0f;
  }

  // Decides which nodes, activations and weights are quantised.
  Status plan() {
    Constants constants(graph());
    std::unordered_map<std::string, std::vector<int>> consumers;
    for (int i = 0; i < graph().node_size(); ++i) {
      for (const auto& in : graph().node(i).input()) {
        if (!in.empty()) consumers[in].push_back(i);
      }
    }
    for (int i = 0; i < graph().node_size(); ++i) {
      const auto& n = graph().node(i);
      if (!(n.domain().empty() || n.domain() == "ai.onnx") || !options_.op_types.count(n.op_type())) continue;
      if (options_.keep_fp32.count(n.name())) {
        report_.kept_fp32.push_back(n.name());
        if (is_weighted(n.op_type())) kept_weighted_.insert(i);
        continue;
      }
      // Activation inputs: every float non-constant input; a weighted op needs a constant
      // float weight (MatMul of two activations quantises both as activations).
      std::vector<std::string> acts;
      bool ok = n.output_size() >= 1 && is_float(n.output(0));
      const int data_inputs = n.op_type() == "Conv" || n.op_type() == "Gemm" ? 1 : n.input_size();
      for (int k = 0; k < data_inputs && ok; ++k) {
        const std::string& in = n.input(k);
        if (in.empty()) continue;
        if (constants.has(in) || !is_float(in)) {
          if (!(n.op_type() == "MatMul" && k == 1 && constants.has(in) && is_float(in))) ok = false;
          continue;
        }
        acts.push_back(in);
      }
      if (ok && is_weighted(n.op_type())) {
        if (n.input_size() < 2 || !constants.has(n.input(1)) || !is_float(n.input(1))) {
          ok = n.op_type() == "MatMul" && !acts.empty() && acts.size() == 2;
        }
        if (n.op_type() == "Conv" && n.input_size() >= 2 && !constants.has(n.input(1))) ok = false;
      }
      if (!ok || acts.empty()) {
        report_.kept_fp32.push_back(n.name());
        continue;
      }
      quantized_nodes_.insert(i);
      node_acts_[i] = acts;
    }
    // Ops that only move or average data gain nothing in int8 unless an int8 op consumes
    // their result; at a network's tail (YOLOX's Concat of box offsets with sigmoid scores
    // before the output) one shared scale would only wreck the boxes. Dropped from the end
    // backwards until none is left feeding only float ops.
    static const std::set<std::string> kPassThrough = {"Concat", "AveragePool", "GlobalAveragePool"};
    for (bool changed = true; changed;) {
      changed = false;
      for (auto it = quantized_nodes_.begin(); it != quantized_nodes_.end();) {
        const auto& n = graph().node(*it);
        if (kPassThrough.count(n.op_type()) && !read_by_quantized_through_activation(n.output(0), consumers, constants)) {
          report_.kept_fp32.push_back(n.name());
          node_acts_.erase(*it);
          it = quantized_nodes_.erase(it);
          changed = true;
        } else {
          ++it;
        }
      }
    }
    for (int i : quantized_nodes_) {
      report_.quantized_ops[graph().node(i).op_type()]++;
      for (const auto& a : node_acts_[i]) points_.emplace(a, a);
      pending_outputs_.push_back(i);
    }
    // Outputs are quantised only where a quantised op reads them: a Q/DQ pair in front of a
    // float op or a graph output (the logits) only loses precision.
    for (int i : pending_outputs_) {
      const auto& n = graph().node(i);
      // The output, through a foldable activation when that is its only reader.
      const std::string& out = n.output(0);
      const auto& readers = consumers[out];
      if (options_.fold_activations && readers.size() == 1 && !is_graph_output(out)) {
        const auto& a = graph().node(readers[0]);
        if (foldable_activation(a, constants) && !is_graph_output(a.output(0))) {
          if (!read_by_quantized(a.output(0), consumers, 0)) continue;
          folded_.insert(readers[0]);
          points_[a.output(0)] = out;
          report_.folded_activations++;
          continue;
        }
      }
      if (read_by_quantized(out, consumers, 0)) points_.emplace(out, out);
    }
    return Status::ok();
  }

  // read_by_quantized, also through a foldable Relu/Clip(0, x) that is the tensor's only reader
  // (what the output quantisation below folds): a dequantised classifier's GlobalAveragePool ->
  // Relu -> Reshape -> MatMul otherwise left the pool, and so the last convolution, in fp32.
  bool read_by_quantized_through_activation(const std::string& tensor,
                                            const std::unordered_map<std::string, std::vector<int>>& consumers,
                                            const Constants& constants) const {
    if (read_by_quantized(tensor, consumers, 0)) return true;
    auto it = consumers.find(tensor);
    if (!options_.fold_activations || it == consumers.end() || it->second.size() != 1 || is_graph_output(tensor)) return false;
    const auto& a = graph().node(it->second[0]);
    return foldable_activation(a, constants) && !is_graph_output(a.output(0)) && read_by_quantized(a.output(0), consumers, 0);
  }

  // Whether a quantised node reads `tensor`, directly or through ops that only move data.
  bool read_by_quantized(const std::string& tensor, const std::unordered_map<std::string, std::vector<int>>& consumers,
                         int depth) const {
    static const std::set<std::string> kMoves = {"Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Identity", "MaxPool"};
    auto it = consumers.find(tensor);
    if (it == consumers.end() || depth > 8) return false;
    for (int c : it->second) {
      if (quantized_nodes_.count(c)) return true;
      const auto& n = graph().node(c);
      if (options_.quantize_kept_inputs && kept_weighted_.count(c) && n.input_size() > 0 && n.input(0) == tensor) return true;
      if (kMoves.count(n.op_type()) && n.input_size() > 0 && n.input(0) == tensor &&
          read_by_quantized(n.output(0), consumers, depth + 1)) {
        return true;
      }
    }
    return false;
  }

  // Q/DQ pair for one activation; returns the DQ output's name.
  void add_pair(const std::string& stat, const std::string& source, NameAllocator& names,
                google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes) {
    const TensorRange& r = report_.ranges.at(stat);
    QuantParams p = affine_params(r.lo, r.hi, options_.activation_type);
    act_params_[stat] = p;
    std::string scale = names.fresh(stat + "_scale"), zp = names.fresh(stat + "_zero_point");
    add_initializer(model_->mutable_graph(), scale, Tensor::scalar<float>(p.scale));
    if (options_.activation_type == DataType::kInt8) {
      add_initializer(model_->mutable_graph(), zp, Tensor::scalar<int8_t>(static_cast<int8_t>(p.zero_point)));
    } else {
      add_initializer(model_->mutable_graph(), zp, Tensor::scalar<uint8_t>(static_cast<uint8_t>(p.zero_point)));
    }
    std::string q = names.fresh(stat + "_quantized"), dq = names.fresh(stat + "_dequantized");
    auto* qn = nodes->Add();
    qn->set_op_type("QuantizeLinear");
    qn->set_name(names.fresh(stat + "_QuantizeLinear"));
    qn->add_input(source);
    qn->add_input(scale);
    qn->add_input(zp);
    qn->add_output(q);
    auto* dn = nodes->Add();
    dn->set_op_type("DequantizeLinear");
    dn->set_name(names.fresh(stat + "_DequantizeLinear"));
    dn->add_input(q);
    dn->add_input(scale);
    dn->add_input(zp);
    dn->add_output(dq);
    dequantized_[stat] = dq;
  }

  static std::string weight_key(const std::string& w, int axis) { return w + "@" + std::to_string(axis); }

  // A per-channel int8 weight behind a DequantizeLinear; returns its output name and scales.
  Result<std::string> quantize_weight(const std::string& w, int axis, NameAllocator& names, const Constants& constants,
                                      google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes) {
    // Keyed by axis too: a weight shared by a Conv and a Gemm/MatMul is quantised per reader axis.
    const std::string key = weight_key(w, axis);
    if (auto it = weight_dq_.find(key); it != weight_dq_.end()) return it->second;
    FOGLINE_ASSIGN_OR_RETURN(Tensor wt, constants.get(w));
    if (axis < 0) axis += wt.rank();
    FOGLINE_ASSIGN_OR_RETURN(ChannelQuantized cq, quantize_per_channel_symmetric(wt, axis));
    const int64_t c = static_cast<int64_t>(cq.scales.size());
    std::string qname = names.fresh(w + "_quantized"), sname = names.fresh(w + "_scale"), zname = names.fresh(w + "_zero_point");
    add_initializer(model_->mutable_graph(), qname, cq.values);
    add_initializer(model_->mutable_graph(), sname, Tensor::from_vector<float>({c}, cq.scales));
    add_initializer(model_->mutable_graph(), zname, Tensor::from_vector<int8_t>({c}, std::vector<int8_t>(c, 0)));
    std::string dq = names.fresh(w + "_dequantized");
    auto* dn = nodes->Add();
    dn->set_op_type("DequantizeLinear");
    dn->set_name(names.fresh(w + "_DequantizeLinear"));
    dn->add_input(qname);
    dn->add_input(sname);
    dn->add_input(zname);
    dn->add_output(dq);
    auto* a = dn->add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(axis);
    weight_dq_[key] = dq;
    weight_scales_[key] = cq.scales;
    report_.weights++;
    return dq;
  }

  // An int32 bias with scale x_scale * w_scale[c]; empty when it cannot be represented.
  Result<std::string> quantize_bias(const std::string& b, float x_scale, const std::vector<float>& w_scales,
                                    NameAllocator& names, const Constants& constants,
                                    google::protobuf::RepeatedPtrField<onnx::NodeProto>* nodes) {
    FOGLINE_ASSIGN_OR_RETURN(Tensor bt, constants.get(b));
    if (bt.dtype() != DataType::kFloat || bt.rank() != 1 || bt.numel() != static_cast<int64_t>(w_scales.size())) return std::string();
    const int64_t c = bt.numel();
    std::vector<float> scales(static_cast<size_t>(c));
    std::vector<int32_t> q(static_cast<size_t>(c));
    for (int64_t i = 0; i < c; ++i) {
      scales[i] = x_scale * w_scales[i];
      double v = scales[i] > 0 ? std::nearbyint(bt.data<float>()[i] / static_cast<double>(scales[i])) : 0.0;
      if (std::fabs(v) > std::numeric_limits<int32_t>::max()) return std::string();
      q[i] = static_cast<int32_t>(v);
    }
    std::string qname = names.fresh(b + "_quantized"), sname = names.fresh(b + "_scale"), zname = names.fresh(b + "_zero_point");
    add_initializer(model_->mutable_graph(), qname, Tensor::from_vector<int32_t>({c}, q));
    add_initializer(model_->mutable_graph(), sname, Tensor::from_vector<float>({c}, scales));
    add_initializer(model_->mutable_graph(), zname, Tensor::from_vector<int32_t>({c}, std::vector<int32_t>(c, 0)));
    std::string dq = names.fresh(b + "_dequantized");
    auto* dn = nodes->Add();
    dn->set_op_type("DequantizeLinear");
    dn->set_name(names.fresh(b + "_DequantizeLinear"));
    dn->add_input(qname);
    dn->add_input(sname);
    dn->add_input(zname);
    dn->add_output(dq);
    auto* a = dn->add_attribute();
    a->set_name("axis");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(0);
    report_.biases++;
    return dq;
  }

  Status rewrite() {
    Constants constants(graph());  // reads the original initializers, before any are added
    // Constants holds pointers into the initializer list; new initializers are appended to a
    // copy of the graph so those pointers stay valid.
    onnx::ModelProto original = *model_;
    Constants original_constants(original.graph());
    NameAllocator names(graph());
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    // sources: tensor -> the stat tensors whose Q reads it.
    std::map<std::string, std::vector<std::string>> by_source;
    for (const auto& [stat, source] : points_) by_source[source].push_back(stat);
    for (const auto& in : graph().input()) {
      for (const auto& stat : by_source[in.name()]) add_pair(stat, in.name(), names, &nodes);
    }
    for (int i = 0; i < original.graph().node_size(); ++i) {
      if (folded_.count(i)) continue;
      onnx::NodeProto n = original.graph().node(i);
      for (int k = 0; k < n.input_size(); ++k) {
        auto it = dequantized_.find(n.input(k));
        if (it != dequantized_.end()) n.set_input(k, it->second);
      }
      if (quantized_nodes_.count(i) && is_weighted(n.op_type()) && n.input_size() >= 2 &&
          original_constants.has(n.input(1))) {
        int axis = 0;
        if (n.op_type() == "Gemm") axis = attribute_int(n, "transB", 0) ? 0 : 1;
        if (n.op_type() == "MatMul") axis = -1;
        std::string w = n.input(1);
        FOGLINE_ASSIGN_OR_RETURN(std::string wdq, quantize_weight(w, axis, names, original_constants, &nodes));
        n.set_input(1, wdq);
        const std::string& x = original.graph().node(i).input(0);
        if (options_.quantize_bias && n.op_type() != "MatMul" && n.input_size() >= 3 && !n.input(2).empty() &&
            original_constants.has(n.input(2)) && act_params_.count(x)) {
          FOGLINE_ASSIGN_OR_RETURN(std::string bdq, quantize_bias(n.input(2), act_params_[x].scale, weight_scales_[weight_key(w, axis)],
                                                                    names, original_constants, &nodes));
          if (!bdq.empty()) n.set_input(2, bdq);
        }
      }
      std::vector<std::string> outs(n.output().begin(), n.output().end());
      *nodes.Add() = std::move(n);
      for (const auto& o : outs) {
        for (const auto& stat : by_source[o]) add_pair(stat, o, names, &nodes);
      }
    }
    // Graph outputs keep reading the float tensors; only a folded activation's output would
    // vanish, and plan() never folds those.
    model_->mutable_graph()->mutable_node()->Swap(&nodes);
    FOGLINE_TRY(topological_sort(model_->mutable_graph()));
    drop_unused_initializers(model_->mutable_graph());
    model_->set_producer_name("fogline quantize");
    model_->set_producer_version("1");
    (void)constants;
    return Status::ok();
  }

  onnx::ModelProto* model_;
  QuantizeOptions options_;
  QuantizeReport report_;
  std::unordered_map<std::string, int> types_;
  std::set<int> quantized_nodes_, folded_, kept_weighted_;
  std::vector<int> pending_outputs_;
  std::map<int, std::vector<std::string>> node_acts_;
  std::map<std::string, std::string> points_;  // stat tensor -> tensor its Q reads
  std::map<std::string, std::string> dequantized_;
  std::map<std::string, QuantParams> act_params_;
  std::map<std::string, std::string> weight_dq_;
  std::map<std::string, std::vector<float>> weight_scales_;
};

}  // namespace

Result<QuantizeReport> quantize_static(onnx::ModelProto* model, const SampleSource& samples, int64_t count,
                                       const QuantizeOptions& options) {
  if (options.activation_type != DataType::kUInt8 && options.activation_type != DataType::kInt8) {
    return invalid_argument("activation type must be uint8 or int8");
  }
  Quantizer q(model, options);
  return q.run(samples, count);
}

}  // namespace fogline::optimize
