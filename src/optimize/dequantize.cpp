#include "optimize/dequantize.h"

#include <set>

#include "engine/tensor_io.h"
#include "optimize/onnx_model.h"
#include "optimize/quant_math.h"

namespace fogline::optimize {
namespace {

using engine::DataType;
using engine::Tensor;

// Scale and zero point of one quantised tensor, as the node names them.
struct QuantRef {
  std::string scale, zero_point;
};

class Dequantizer {
 public:
  Dequantizer(onnx::ModelProto* model, const DequantizeOptions& options)
      : model_(model), graph_(model->mutable_graph()), options_(options), constants_(*graph_), names_(*graph_) {}

  Result<DequantizeReport> run() {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> old_nodes;
    old_nodes.Swap(graph_->mutable_node());
    for (const auto& node : old_nodes) {
      Status st = rewrite(node);
      if (!st.is_ok()) return st.with_context(node.op_type() + " '" + node.name() + "'");
    }
    // Graph outputs that were aliased away (e.g. the final DequantizeLinear) get an Identity.
    for (auto& out : *graph_->mutable_output()) {
      std::string src = resolve(out.name());
      if (src != out.name()) emit("Identity", {src}, {out.name()}, "");
      auto* tt = out.mutable_type()->mutable_tensor_type();
      if (tt->elem_type() == static_cast<int>(DataType::kUInt8) || tt->elem_type() == static_cast<int>(DataType::kInt8)) {
        tt->set_elem_type(static_cast<int>(DataType::kFloat));
      }
    }
    graph_->clear_value_info();  // types of rewritten tensors changed; shape inference redoes it
    for (auto& init : new_initializers_) *graph_->add_initializer() = std::move(init);
    drop_unused_initializers(graph_);
    drop_unused_opsets(model_);
    model_->set_producer_name("fogline convert --dequantize");
    model_->set_producer_version("1");
    return report_;
  }

 private:
  std::string resolve(const std::string& name) const {
    std::string n = name;
    for (auto it = alias_.find(n); it != alias_.end(); it = alias_.find(n)) n = it->second;
    return n;
  }

  onnx::NodeProto& emit(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name_hint) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(names_.fresh(name_hint.empty() ? op : name_hint));
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  std::string add_constant(const std::string& hint, const Tensor& t) {
    std::string name = names_.fresh(hint);
    onnx::TensorProto proto;
    engine::tensor_to_proto(t, name, &proto);
    new_initializers_.push_back(std::move(proto));
    return name;
  }

  Result<std::vector<float>> floats(const std::string& name) const {
    FOGLINE_ASSIGN_OR_RETURN(Tensor t, constants_.get(name));
    if (t.dtype() != DataType::kFloat) return invalid_argument("scale '" + name + "' is not float32");
    return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
  }

  // Zero points (default 0 of `fallback` type when the input is omitted) and their type.
  Result<std::pair<std::vector<int32_t>, DataType>> zero_points(const std::string& name, DataType fallback) const {
    if (name.empty()) return std::make_pair(std::vector<int32_t>{0}, fallback);
    FOGLINE_ASSIGN_OR_RETURN(Tensor t, constants_.get(name));
    std::vector<int32_t> zps;
    for (int64_t i = 0; i < t.numel(); ++i) zps.push_back(static_cast<int32_t>(t.value_as_int(i)));
    if (zps.empty()) zps.push_back(0);
    return std::make_pair(zps, t.dtype());
  }

  // A constant quantised tensor as a new float initializer.
  Result<std::string> dequantized_constant(const std::string& q, const QuantRef& ref, int axis) {
    auto key = q + "|" + ref.scale + "|" + ref.zero_point;
    if (auto it = dequantized_.find(key); it != dequantized_.end()) return it->second;
    FOGLINE_ASSIGN_OR_RETURN(Tensor qt, constants_.get(q));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> scales, floats(ref.scale));
    FOGLINE_ASSIGN_OR_RETURN(auto zps, zero_points(ref.zero_point, qt.dtype()));
    if (zps.first.size() == 1 && scales.size() > 1) zps.first.assign(scales.size(), zps.first[0]);
    FOGLINE_ASSIGN_OR_RETURN(Tensor f, dequantize_tensor(qt, scales, zps.first, axis));
    std::string name = add_constant(q + "_dequantized", f);
    dequantized_[key] = name;
    ++report_.weights_dequantized;
    return name;
  }

  // An input of a quantised op: a dequantised constant, or the float tensor the quantised
  // activation stands for.
  Result<std::string> operand(const std::string& q, const QuantRef& ref, int axis = 0) {
    if (constants_.has(q)) return dequantized_constant(q, ref, axis);
    if (ref.scale.empty() || constants_.has(ref.scale)) {
      if (!ref.scale.empty()) {
        FOGLINE_ASSIGN_OR_RETURN(std::vector<float> s, floats(ref.scale));
        if (s.size() != 1) return unsupported("per-axis quantised activation '" + q + "'");
      }
    }
    return resolve(q);
  }

  // The float result of a quantised op goes to `out` (its original name); a ReLU or clip
  // reproduces the int8 output's saturation where that is part of the network.
  Result<std::string> output_target(const std::string& out) { return names_.fresh(out + "_linear"); }

  Status finish_output(const std::string& produced, const std::string& out, const QuantRef& ref, DataType fallback) {
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> s, floats(ref.scale));
    FOGLINE_ASSIGN_OR_RETURN(auto zps, zero_points(ref.zero_point, fallback));
    if (s.size() != 1 || zps.first.size() != 1) return unsupported("per-axis quantised output '" + out + "'");
    const DataType type = zps.second;
    const int32_t qmin = quant_min(type), qmax = quant_max(type);
    const float lo = static_cast<float>(qmin - zps.first[0]) * s[0];
    const float hi = static_cast<float>(qmax - zps.first[0]) * s[0];
    if (options_.clip_to_range) {
      std::string lo_name = add_constant(out + "_min", Tensor::scalar<float>(lo));
      std::string hi_name = add_constant(out + "_max", Tensor::scalar<float>(hi));
      emit("Clip", {produced, lo_name, hi_name}, {out}, out + "_clip");
      ++report_.clips_added;
    } else if (zps.first[0] == qmin) {
      emit("Relu", {produced}, {out}, out + "_relu");
      ++report_.relus_added;
    } else {
      alias_[out] = produced;
    }
    return Status::ok();
  }

  static std::string input(const onnx::NodeProto& n, int i) { return i < n.input_size() ? n.input(i) : std::string(); }

  void copy_attributes(const onnx::NodeProto& from, onnx::NodeProto* to, const std::set<std::string>& skip = {}) {
    for (const auto& a : from.attribute()) {
      if (!skip.count(a.name())) *to->add_attribute() = a;
    }
  }

  Status rewrite(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    const bool ms = n.domain() == "com.microsoft";
    const bool onnx_domain = n.domain().empty() || n.domain() == "ai.onnx";
    if (onnx_domain && op == "QuantizeLinear") {
      // The fp32 model keeps the real value; whoever dequantises it reads the float.
      if (constants_.has(n.input(0))) return unsupported("QuantizeLinear of a constant");
      alias_[n.output(0)] = resolve(n.input(0));
      return Status::ok();
    }
    if (onnx_domain && op == "DequantizeLinear") {
      if (constants_.has(n.input(0))) {
        QuantRef ref{input(n, 1), input(n, 2)};
        FOGLINE_ASSIGN_OR_RETURN(std::string f, dequantized_constant(n.input(0), ref, static_cast<int>(attribute_int(n, "axis", 1))));
        alias_[n.output(0)] = f;
      } else {
        alias_[n.output(0)] = resolve(n.input(0));
      }
      count(op);
      return Status::ok();
    }
    if (onnx_domain && op == "QLinearConv") {
      QuantRef xq{input(n, 1), input(n, 2)}, wq{input(n, 4), input(n, 5)}, yq{input(n, 6), input(n, 7)};
      FOGLINE_ASSIGN_OR_RETURN(std::string x, operand(n.input(0), xq));
      FOGLINE_ASSIGN_OR_RETURN(std::string w, operand(n.input(3), wq, 0));
      std::vector<std::string> ins = {x, w};
      if (!input(n, 8).empty()) {
        // int32 bias in units of x_scale * w_scale[c].
        FOGLINE_ASSIGN_OR_RETURN(std::vector<float> xs, floats(xq.scale));
        FOGLINE_ASSIGN_OR_RETURN(std::vector<float> ws, floats(wq.scale));
        FOGLINE_ASSIGN_OR_RETURN(Tensor b, constants_.get(n.input(8)));
        std::vector<float> bs(static_cast<size_t>(b.numel()));
        for (size_t c = 0; c < bs.size(); ++c) bs[c] = xs[0] * (ws.size() == 1 ? ws[0] : ws[c]);
        if (ws.size() != 1 && ws.size() != bs.size()) return invalid_argument("bias has " + std::to_string(bs.size()) + " channels, weight scale " + std::to_string(ws.size()));
        FOGLINE_ASSIGN_OR_RETURN(Tensor bf, dequantize_tensor(b, bs, {}, 0));
        ins.push_back(add_constant(n.input(8) + "_dequantized", bf));
      }
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      auto& conv = emit("Conv", ins, {produced}, n.name());
      copy_attributes(n, &conv);
      count(op);
      return finish_output(produced, n.output(0), yq, DataType::kUInt8);
    }
    if (onnx_domain && op == "QLinearMatMul") {
      QuantRef aq{input(n, 1), input(n, 2)}, bq{input(n, 4), input(n, 5)}, yq{input(n, 6), input(n, 7)};
      FOGLINE_ASSIGN_OR_RETURN(std::string a, operand(n.input(0), aq, -2));
      FOGLINE_ASSIGN_OR_RETURN(std::string b, operand(n.input(3), bq, -1));
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      emit("MatMul", {a, b}, {produced}, n.name());
      count(op);
      return finish_output(produced, n.output(0), yq, DataType::kUInt8);
    }
    if (ms && (op == "QLinearAdd" || op == "QLinearMul")) {
      QuantRef aq{input(n, 1), input(n, 2)}, bq{input(n, 4), input(n, 5)}, cq{input(n, 6), input(n, 7)};
      FOGLINE_ASSIGN_OR_RETURN(std::string a, operand(n.input(0), aq));
      FOGLINE_ASSIGN_OR_RETURN(std::string b, operand(n.input(3), bq));
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      emit(op == "QLinearAdd" ? "Add" : "Mul", {a, b}, {produced}, n.name());
      count("com.microsoft:" + op);
      return finish_output(produced, n.output(0), cq, DataType::kUInt8);
    }
    if (ms && (op == "QLinearGlobalAveragePool" || op == "QLinearAveragePool")) {
      if (attribute_int(n, "channels_last", 0) != 0) return unsupported("channels_last pooling");
      QuantRef xq{input(n, 1), input(n, 2)}, yq{input(n, 3), input(n, 4)};
      FOGLINE_ASSIGN_OR_RETURN(std::string x, operand(n.input(0), xq));
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      auto& pool = emit(op == "QLinearGlobalAveragePool" ? "GlobalAveragePool" : "AveragePool", {x}, {produced}, n.name());
      copy_attributes(n, &pool, {"channels_last"});
      count("com.microsoft:" + op);
      return finish_output(produced, n.output(0), yq, DataType::kUInt8);
    }
    if (ms && (op == "QLinearSigmoid" || op == "QLinearLeakyRelu")) {
      QuantRef xq{input(n, 1), input(n, 2)}, yq{input(n, 3), input(n, 4)};
      FOGLINE_ASSIGN_OR_RETURN(std::string x, operand(n.input(0), xq));
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      auto& act = emit(op == "QLinearSigmoid" ? "Sigmoid" : "LeakyRelu", {x}, {produced}, n.name());
      copy_attributes(n, &act);
      count("com.microsoft:" + op);
      return finish_output(produced, n.output(0), yq, DataType::kUInt8);
    }
    if (ms && op == "QLinearConcat") {
      // Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input.
      if (n.input_size() < 5 || (n.input_size() - 2) % 3 != 0) return invalid_argument("QLinearConcat needs 2 + 3k inputs");
      std::vector<std::string> ins;
      for (int i = 2; i + 2 < n.input_size(); i += 3) {
        FOGLINE_ASSIGN_OR_RETURN(std::string x, operand(n.input(i), QuantRef{n.input(i + 1), n.input(i + 2)}));
        ins.push_back(x);
      }
      FOGLINE_ASSIGN_OR_RETURN(std::string produced, output_target(n.output(0)));
      auto& cat = emit("Concat", ins, {produced}, n.name());
      copy_attributes(n, &cat);
      count("com.microsoft:" + op);
      return finish_output(produced, n.output(0), QuantRef{n.input(0), n.input(1)}, DataType::kUInt8);
    }
    static const std::set<std::string> kInteger = {"ConvInteger", "MatMulInteger", "DynamicQuantizeLinear",
                                                   "QAttention", "DynamicQuantizeMatMul", "QGemm", "QLinearSoftmax"};
    if (kInteger.count(op) || (ms && op.rfind("QLinear", 0) == 0)) {
      return unsupported("cannot dequantise this op yet (supported: QuantizeLinear, DequantizeLinear, QLinearConv, "
                         "QLinearMatMul, com.microsoft QLinearAdd/Mul/GlobalAveragePool/AveragePool/Concat/Sigmoid/LeakyRelu)");
    }
    // Everything else (Reshape, MaxPool, Concat of floats, ...) reads the float tensors.
    onnx::NodeProto copy = n;
    for (int i = 0; i < copy.input_size(); ++i) {
      if (!copy.input(i).empty()) copy.set_input(i, resolve(copy.input(i)));
    }
    *graph_->add_node() = std::move(copy);
    return Status::ok();
  }

  void count(const std::string& op) { report_.rewritten[op]++; }

  onnx::ModelProto* model_;
  onnx::GraphProto* graph_;
  DequantizeOptions options_;
  Constants constants_;
  NameAllocator names_;
  std::map<std::string, std::string> alias_;
  std::map<std::string, std::string> dequantized_;
  std::vector<onnx::TensorProto> new_initializers_;
  DequantizeReport report_;
};

}  // namespace

Result<DequantizeReport> dequantize_model(onnx::ModelProto* model, const DequantizeOptions& options) {
  // Constants reads initializers by pointer: copy the graph's initializers before it changes.
  onnx::ModelProto original = *model;
  Dequantizer d(&original, options);
  FOGLINE_ASSIGN_OR_RETURN(DequantizeReport report, d.run());
  *model = std::move(original);
  return report;
}

}  // namespace fogline::optimize
