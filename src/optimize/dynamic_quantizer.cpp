#include "optimize/dynamic_quantizer.h"

#include "engine/tensor.h"
#include "optimize/onnx_model.h"
#include "optimize/quant_math.h"

namespace fogline::optimize {

using engine::DataType;
using engine::Tensor;

Result<DynamicQuantizeReport> quantize_dynamic(onnx::ModelProto* model, const DynamicQuantizeOptions& options) {
  // DynamicQuantizeLinear and MatMulInteger exist since opset 11.
  if (default_opset(*model) < 11) return unsupported("dynamic quantisation needs opset 11 or later (the model has " + std::to_string(default_opset(*model)) + ")");
  DynamicQuantizeReport report;
  onnx::ModelProto original = *model;  // Constants points into this copy's initializers
  Constants constants(original.graph());
  NameAllocator names(original.graph());
  auto* graph = model->mutable_graph();
  google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
  std::map<std::string, std::pair<std::string, std::string>> weights;  // W -> (W_q, W_scale)
  auto add = [&](const std::string& op, std::vector<std::string> in, std::vector<std::string> out, const std::string& hint) -> onnx::NodeProto& {
    auto* n = nodes.Add();
    n->set_op_type(op);
    n->set_name(names.fresh(hint));
    for (auto& i : in) n->add_input(i);
    for (auto& o : out) n->add_output(o);
    return *n;
  };
  for (const auto& n : original.graph().node()) {
    const bool candidate = (n.domain().empty() || n.domain() == "ai.onnx") && n.op_type() == "MatMul" && n.input_size() == 2;
    if (!candidate) {
      *nodes.Add() = n;
      continue;
    }
    auto w = constants.has(n.input(1)) ? constants.get(n.input(1)) : Result<Tensor>(not_found(""));
    if (options.keep_fp32.count(n.name()) || !w.is_ok() || w->dtype() != DataType::kFloat || w->rank() != 2) {
      report.kept_fp32.push_back(n.name());
      *nodes.Add() = n;
      continue;
    }
    const std::string& wname = n.input(1);
    if (!weights.count(wname)) {
      FOGLINE_ASSIGN_OR_RETURN(ChannelQuantized cq, quantize_per_channel_symmetric(*w, 1));
      const int64_t cols = w->dim(1);
      std::string q = names.fresh(wname + "_quantized"), s = names.fresh(wname + "_scale"), z = names.fresh(wname + "_zero_point");
      add_initializer(graph, q, cq.values);
      add_initializer(graph, s, Tensor::from_vector<float>({cols}, cq.scales));
      add_initializer(graph, z, Tensor::from_vector<int8_t>({cols}, std::vector<int8_t>(static_cast<size_t>(cols), 0)));
      weights[wname] = {q, s};
      weights[wname + "|zp"] = {z, z};
    }
    const auto& [wq, ws] = weights[wname];
    const std::string wz = weights[wname + "|zp"].first;
    const std::string& a = n.input(0);
    const std::string base = n.name().empty() ? n.output(0) : n.name();
    std::string aq = names.fresh(a + "_quantized"), as = names.fresh(a + "_scale"), az = names.fresh(a + "_zero_point");
    add("DynamicQuantizeLinear", {a}, {aq, as, az}, base + "_DynamicQuantizeLinear");
    std::string acc = names.fresh(base + "_int32");
    add("MatMulInteger", {aq, wq, az, wz}, {acc}, base + "_MatMulInteger");
    std::string accf = names.fresh(base + "_float");
    auto& cast = add("Cast", {acc}, {accf}, base + "_Cast");
    auto* to = cast.add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(onnx::TensorProto::FLOAT);
    std::string scale = names.fresh(base + "_output_scale");
    add("Mul", {as, ws}, {scale}, base + "_scale_Mul");
    add("Mul", {accf, scale}, {n.output(0)}, base + "_Mul");
    report.matmuls++;
  }
  graph->mutable_node()->Swap(&nodes);
  drop_unused_initializers(graph);
  model->set_producer_name("fogline quantize --dynamic");
  return report;
}

}  // namespace fogline::optimize
