// Builds small ONNX models in tests, so the engine's own fixtures need nothing from ../shared.
//   TestModel m;
//   m.input("x", DataType::kFloat, {1, 3});
//   auto& n = m.node("LeakyRelu", {"x"}, {"y"});
//   set_attr(n, "alpha", 0.2f);
//   m.output("y");
//   auto session = m.session();
#pragma once

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/session.h"
#include "engine/tensor_io.h"

namespace fogline::engine::testing {

class TestModel {
 public:
  explicit TestModel(int opset = 13) {
    proto_.set_ir_version(8);
    proto_.set_producer_name("fogline-tests");
    auto* op = proto_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    proto_.mutable_graph()->set_name("test");
  }
  void import_domain(const std::string& domain, int version) {
    auto* op = proto_.add_opset_import();
    op->set_domain(domain);
    op->set_version(version);
  }
  TestModel& input(const std::string& name, DataType dtype, const Shape& shape) {
    fill_value_info(proto_.mutable_graph()->add_input(), name, dtype, &shape);
    return *this;
  }
  // Declares a graph output; its type and shape come from ONNX shape inference unless given.
  TestModel& output(const std::string& name, DataType dtype = DataType::kUndefined,
                    const Shape* shape = nullptr) {
    auto* vi = proto_.mutable_graph()->add_output();
    vi->set_name(name);
    if (dtype != DataType::kUndefined) fill_value_info(vi, name, dtype, shape);
    return *this;
  }
  TestModel& initializer(const std::string& name, const Tensor& t) {
    tensor_to_proto(t, name, proto_.mutable_graph()->add_initializer());
    return *this;
  }
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& domain = "") {
    auto* n = proto_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(op + "_" + std::to_string(proto_.graph().node_size()));
    if (!domain.empty()) n->set_domain(domain);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }
  onnx::ModelProto& proto() { return proto_; }
  std::string bytes() const {
    onnx::ModelProto m = proto_;
    try {
      onnx::ModelProto inferred = m;
      onnx::shape_inference::InferShapes(inferred);
      for (auto& out : *m.mutable_graph()->mutable_output()) {
        if (out.type().tensor_type().has_shape()) continue;
        for (const auto& vi : inferred.graph().value_info()) {
          if (vi.name() == out.name()) *out.mutable_type() = vi.type();
        }
        for (const auto& vi : inferred.graph().output()) {
          if (vi.name() == out.name() && vi.type().tensor_type().has_shape()) *out.mutable_type() = vi.type();
        }
      }
    } catch (const std::exception&) {
      // Leave the outputs as declared; the engine's checker will say what is wrong.
    }
    return m.SerializeAsString();
  }
  Result<std::unique_ptr<Session>> session(SessionOptions options = {}) const {
    return Session::from_bytes(bytes(), options);
  }

 private:
  static void fill_value_info(onnx::ValueInfoProto* vi, const std::string& name, DataType dtype,
                              const Shape* shape) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(static_cast<int>(dtype));
    if (shape) {
      auto* s = tt->mutable_shape();
      for (int64_t d : *shape) s->add_dim()->set_dim_value(d);
    }
  }
  onnx::ModelProto proto_;
};

inline void set_attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void set_attr(onnx::NodeProto& n, const std::string& name, int v) { set_attr(n, name, static_cast<int64_t>(v)); }
inline void set_attr(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void set_attr(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
inline void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void set_attr(onnx::NodeProto& n, const std::string& name, const std::vector<float>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}

// Deterministic pseudo-random floats in [lo, hi) for op tests.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  Tensor t = std::move(Tensor::allocate(DataType::kFloat, shape)).value();
  uint32_t s = seed * 2654435761u + 1;
  for (int64_t i = 0; i < t.numel(); ++i) {
    s = s * 1664525u + 1013904223u;
    t.data<float>()[i] = lo + (hi - lo) * static_cast<float>(s >> 8) / static_cast<float>(1u << 24);
  }
  return t;
}

}  // namespace fogline::engine::testing
