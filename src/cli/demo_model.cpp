#include "cli/demo_model.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <vector>

namespace fogline::cli {
namespace {

class Writer {
 public:
  Writer() {
    model_.set_ir_version(8);
    model_.set_producer_name("fogline-demo");
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(13);
    graph()->set_name("demo_classifier");
  }
  onnx::GraphProto* graph() { return model_.mutable_graph(); }

  void io(onnx::ValueInfoProto* vi, const std::string& name, std::vector<int64_t> dims) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  // Deterministic weights scaled like He initialisation.
  void weight(const std::string& name, std::vector<int64_t> dims, float scale, float offset = 0) {
    auto* t = graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    for (int64_t i = 0; i < n; ++i) {
      state_ = state_ * 1664525u + 1013904223u;
      float u = static_cast<float>(state_ >> 8) / static_cast<float>(1u << 24) - 0.5f;
      t->add_float_data(offset + scale * u);
    }
  }
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> in, std::vector<std::string> out) {
    auto* n = graph()->add_node();
    n->set_op_type(op);
    n->set_name(out[0] + "_" + op);
    for (auto& i : in) n->add_input(i);
    for (auto& o : out) n->add_output(o);
    return n;
  }
  static void ints(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  // Conv 3x3 (pad 1) + BatchNormalization + Relu.
  std::string conv_bn_relu(const std::string& x, const std::string& name, int64_t cin, int64_t cout,
                           int64_t stride) {
    weight(name + ".w", {cout, cin, 3, 3}, std::sqrt(2.0f / (cin * 9)) * 2);
    weight(name + ".b", {cout}, 0.1f);
    auto* c = node("Conv", {x, name + ".w", name + ".b"}, {name + ".conv"});
    ints(c, "kernel_shape", {3, 3});
    ints(c, "pads", {1, 1, 1, 1});
    ints(c, "strides", {stride, stride});
    weight(name + ".bn.scale", {cout}, 0.4f, 1.0f);
    weight(name + ".bn.bias", {cout}, 0.2f);
    weight(name + ".bn.mean", {cout}, 0.2f);
    weight(name + ".bn.var", {cout}, 0.4f, 1.0f);
    node("BatchNormalization", {name + ".conv", name + ".bn.scale", name + ".bn.bias", name + ".bn.mean", name + ".bn.var"},
         {name + ".bn"});
    node("Relu", {name + ".bn"}, {name + ".relu"});
    return name + ".relu";
  }
  std::string bytes() const { return model_.SerializeAsString(); }

 private:
  onnx::ModelProto model_;
  uint32_t state_ = 2024;
};

}  // namespace

std::string make_demo_classifier() {
  Writer w;
  w.io(w.graph()->add_input(), "image", {1, 3, 32, 32});
  std::string x = w.conv_bn_relu("image", "stem", 3, 16, 1);
  auto* pool = w.node("MaxPool", {x}, {"pool"});
  Writer::ints(pool, "kernel_shape", {2, 2});
  Writer::ints(pool, "strides", {2, 2});
  std::string a = w.conv_bn_relu("pool", "block1", 16, 16, 1);
  w.weight("block1.proj.w", {16, 16, 3, 3}, 0.1f);
  auto* c = w.node("Conv", {a, "block1.proj.w"}, {"block1.proj"});
  Writer::ints(c, "kernel_shape", {3, 3});
  Writer::ints(c, "pads", {1, 1, 1, 1});
  w.node("Add", {"block1.proj", "pool"}, {"residual"});
  w.node("Relu", {"residual"}, {"residual.relu"});
  std::string b = w.conv_bn_relu("residual.relu", "block2", 16, 32, 2);
  w.node("GlobalAveragePool", {b}, {"gap"});
  auto* f = w.node("Flatten", {"gap"}, {"features"});
  Writer::integer(f, "axis", 1);
  w.weight("head.w", {10, 32}, 0.5f);
  w.weight("head.b", {10}, 0.1f);
  auto* g = w.node("Gemm", {"features", "head.w", "head.b"}, {"logits"});
  Writer::integer(g, "transB", 1);
  auto* s = w.node("Softmax", {"logits"}, {"probabilities"});
  Writer::integer(s, "axis", -1);
  w.io(w.graph()->add_output(), "probabilities", {1, 10});
  return w.bytes();
}

}  // namespace fogline::cli
