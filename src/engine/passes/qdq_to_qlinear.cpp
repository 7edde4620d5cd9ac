// qdq-to-qlinear: turns the QDQ form of a quantised model (what ONNX Runtime's quantiser and
// Fogline's optimiser write: DequantizeLinear -> float op -> QuantizeLinear, with constant
// 8-bit weights behind their own DequantizeLinear) into the 8-bit ops, so activations stay
// int8/uint8 between ops and never go through float:
//   DQ(x), DQ(W)[, DQ(B) | B] -> Conv [-> Relu | Clip] -> Q   =>  QLinearConv (+ clamp post-op)
//   DQ(a), DQ(B) -> MatMul -> Q                                =>  QLinearMatMul
//   DQ(a), DQ(b) -> Add | Mul -> Q                             =>  com.microsoft QLinearAdd | QLinearMul
//   DQ(x) -> Sigmoid -> Q                                      =>  com.microsoft QLinearSigmoid
//   DQ(x) -> GlobalAveragePool -> Q                            =>  com.microsoft QLinearGlobalAveragePool
//   DQ(x) -> MaxPool -> Q (same scale and zero point)          =>  MaxPool on the 8-bit values
//   DQ(x_i)... -> Concat -> Q                                   =>  com.microsoft QLinearConcat
//   DQ(a), DQ(B) -> MatMul (float output, no Q)                 =>  MatMulInteger -> Cast -> Mul
// This is the rewrite ONNX Runtime itself applies to QDQ models; the results are the
// integer ops' (exact int32 sums, one requantisation), which differ from running the float
// graph by at most one quantisation step at rounding boundaries.
//
// A Relu / Clip between the op and Q commutes with quantisation (both are monotone), so it
// becomes a clamp of the 8-bit output, kept as a Relu/Clip post-op on the QLinearConv with
// its real-valued bounds (ops/quant/qlinear_conv.cpp and ops/dnnl/qlinear_conv.cpp apply it).
// A float bias (or an int32 one whose scale is not x_scale * w_scale) is requantised to int32
// with scale x_scale * w_scale[m], as ONNX Runtime's quantiser does.
//
// Runs before constant folding, which would otherwise fold DQ(constant weights) to float.
// DequantizeLinear nodes left without readers are swept by dead-node elimination.
#include <cmath>
#include <limits>

#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

using passes::input_of;
using passes::value_constant;

bool q8(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// A DequantizeLinear feeding a value: its quantised input and parameters.
struct Dq {
  int node = -1;
  int x = -1, scale = -1, zp = -1;  // zp -1: absent
  int64_t axis = 1;
};

class Rewriter {
 public:
  Rewriter(Graph& g, const PassContext& ctx) : g_(g), ctx_(ctx), uses_(g) { index_producers(); }

  int run() {
    int changed = 0;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (!passes::is_op(g_.nodes[i], "QuantizeLinear")) continue;
      if (rewrite(static_cast<int>(i))) {
        ++changed;
        uses_.rebuild(g_);
        index_producers();
      }
    }
    // After the Q-anchored rewrites: a MatMul whose output no Q reads.
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (passes::is_op(g_.nodes[i], "MatMul") && float_out_matmul(static_cast<int>(i))) ++changed;
    }
    return changed;
  }
  bool sorted_ok() { return !inserted_ || g_.topological_sort().is_ok(); }

 private:
  // DQ(a), DQ(B) -> MatMul whose float output no Q reads (a classifier's logits):
  //   MatMulInteger(a, B, a_zp, B_zp) -> Cast(float) -> Mul(a_scale * B_scale[n])
  // the pattern dynamic quantisation writes, with the static a_scale folded into the column
  // scales. The sums are exact int32 and the weights stay 8-bit (a 1280x1000 classifier reads
  // 1.3 MB instead of 5 MB of dequantised floats per inference).
  bool float_out_matmul(int mi) {
    const Node& c = g_.nodes[static_cast<size_t>(mi)];
    if (!passes::single_output(c) || c.opset < 13 || !available("", "MatMulInteger", 10) ||
        !available("", "Cast", c.opset) || !available("", "Mul", c.opset))
      return false;
    auto a = activation_dq(input_of(c, 0));
    auto b = dq_of(input_of(c, 1));
    if (!a || !b) return false;
    const Tensor* bq = value_constant(g_, b->x);
    if (!bq || bq->dtype() != DataType::kInt8 || bq->rank() != 2) return false;
    const int64_t n = bq->dim(1);
    const Tensor* bs = value_constant(g_, b->scale);
    if (bs->numel() != 1 && (bs->numel() != n || (b->axis != 1 && b->axis != -1))) return false;
    if (b->zp >= 0) {
      const Tensor* z = value_constant(g_, b->zp);
      for (int64_t k = 0; k < z->numel(); ++k)
        if (z->value_as_int(k) != 0) return false;
    }
    const float as = value_constant(g_, a->scale)->data<float>()[0];
    std::vector<float> scale(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) scale[static_cast<size_t>(k)] = as * bs->data<float>()[bs->numel() == 1 ? 0 : k];
    const std::string name = c.name;
    const int opset = c.opset;
    const int out = c.outputs[0];
    const int a_x = a->x, a_zp = a->zp, b_x = b->x, b_zp = b->zp;
    const DataType at = passes::value_dtype(g_, a_x);
    // add_constant / add_temp_value grow g_.values and g_.nodes is appended to: no references past here.
    const int scale_v = passes::add_constant(g_, name + "_column_scale", Tensor::from_vector<float>({n}, scale));
    const int a_zp_v = zero_point_or_default(a_zp, at, name + "_a");
    const int b_zp_v = zero_point_or_default(b_zp, DataType::kInt8, name + "_b");
    const int acc = g_.add_temp_value(name + "_int32");
    g_.values[static_cast<size_t>(acc)].type.dtype = DataType::kInt32;
    const int as_float = g_.add_temp_value(name + "_int32_float");
    g_.values[static_cast<size_t>(as_float)].type.dtype = DataType::kFloat;
    Node mm;
    mm.name = name;
    mm.op_type = "MatMulInteger";
    mm.opset = opset;
    mm.inputs = {a_x, b_x, a_zp_v, b_zp_v};
    mm.outputs = {acc};
    Node cast;
    cast.name = name + "_cast";
    cast.op_type = "Cast";
    cast.opset = opset;
    cast.attrs.set_int("to", 1);  // FLOAT
    cast.inputs = {acc};
    cast.outputs = {as_float};
    Node mul;
    mul.name = name + "_scale";
    mul.op_type = "Mul";
    mul.opset = opset;
    mul.inputs = {as_float, scale_v};
    mul.outputs = {out};
    g_.nodes[static_cast<size_t>(mi)] = std::move(mm);
    g_.nodes.push_back(std::move(cast));
    g_.nodes.push_back(std::move(mul));
    inserted_ = true;
    uses_.rebuild(g_);
    index_producers();
    return true;
  }

  void index_producers() {
    producer_.assign(g_.values.size(), -1);
    for (size_t n = 0; n < g_.nodes.size(); ++n) {
      if (g_.nodes[n].dead) continue;
      for (int o : g_.nodes[n].outputs)
        if (o >= 0) producer_[static_cast<size_t>(o)] = static_cast<int>(n);
    }
  }
  const Node* producer(int v) const {
    if (v < 0 || static_cast<size_t>(v) >= producer_.size() || producer_[static_cast<size_t>(v)] < 0) return nullptr;
    return &g_.nodes[static_cast<size_t>(producer_[static_cast<size_t>(v)])];
  }
  int producer_index(int v) const { return v >= 0 && static_cast<size_t>(v) < producer_.size() ? producer_[static_cast<size_t>(v)] : -1; }

  // `v` is written by a DequantizeLinear with constant scale and zero point.
  std::optional<Dq> dq_of(int v) const {
    const Node* n = producer(v);
    if (!n || !passes::is_op(*n, "DequantizeLinear") || n->opset < 10 || !passes::single_output(*n)) return std::nullopt;
    if (n->attrs.get_int("block_size", 0) != 0) return std::nullopt;
    Dq d;
    d.node = producer_index(v);
    d.x = input_of(*n, 0);
    d.scale = input_of(*n, 1);
    d.zp = input_of(*n, 2);
    d.axis = n->attrs.get_int("axis", 1);
    const Tensor* s = value_constant(g_, d.scale);
    if (!s || s->dtype() != DataType::kFloat || s->numel() == 0) return std::nullopt;
    if (!q8(passes::value_dtype(g_, d.x)) && passes::value_dtype(g_, d.x) != DataType::kInt32) return std::nullopt;
    if (d.zp >= 0) {
      const Tensor* z = value_constant(g_, d.zp);
      if (!z || z->numel() != s->numel() || z->dtype() != passes::value_dtype(g_, d.x)) return std::nullopt;
    }
    return d;
  }
  // A DQ of a run-time activation with one scale and zero point.
  std::optional<Dq> activation_dq(int v) const {
    auto d = dq_of(v);
    if (!d || !q8(passes::value_dtype(g_, d->x)) || value_constant(g_, d->x)) return std::nullopt;
    if (value_constant(g_, d->scale)->numel() != 1) return std::nullopt;
    return d;
  }

  // A scalar zero point value for a DQ/Q whose zero point is absent (0 of `type`).
  int zero_point_or_default(int zp, DataType type, const std::string& hint) {
    if (zp >= 0) return zp;
    Tensor t = type == DataType::kInt8 ? Tensor::scalar<int8_t>(0) : Tensor::scalar<uint8_t>(0);
    return passes::add_constant(g_, hint + "_zero_point", std::move(t));
  }

  // Relu / Clip with constant bounds as a post-op; nullopt when `n` is neither.
  std::optional<PostOp> clamp_of(const Node& n) const {
    PostOp p;
    if (passes::is_op(n, "Relu")) {
      p.kind = PostOp::Kind::kRelu;
      return p;
    }
    if (!passes::is_op(n, "Clip")) return std::nullopt;
    float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
    if (n.opset < 11) {
      lo = n.attrs.get_float("min", lo);
      hi = n.attrs.get_float("max", hi);
    } else {
      for (size_t i = 1; i <= 2; ++i) {
        const int v = input_of(n, i);
        if (v < 0) continue;
        const Tensor* t = value_constant(g_, v);
        if (!t || t->dtype() != DataType::kFloat || t->numel() != 1) return std::nullopt;
        (i == 1 ? lo : hi) = t->data<float>()[0];
      }
    }
    if (!(lo <= hi)) return std::nullopt;
    p.kind = PostOp::Kind::kClip;
    p.alpha = lo;
    p.beta = hi;
    return p;
  }

  bool rewrite(int qi) {
    const Node& q = g_.nodes[static_cast<size_t>(qi)];
    if (q.opset < 10 || !passes::single_output(q) || q.attrs.has("output_dtype") || q.attrs.get_int("block_size", 0) != 0)
      return false;
    const Tensor* ys = value_constant(g_, input_of(q, 1));
    const int yz = input_of(q, 2);
    if (!ys || ys->dtype() != DataType::kFloat || ys->numel() != 1) return false;
    if (yz >= 0) {
      const Tensor* z = value_constant(g_, yz);
      if (!z || z->numel() != 1 || !q8(z->dtype())) return false;
    }
    // Walk back: Q <- [Relu | Clip] <- op, each link read only by the next.
    int core = producer_index(input_of(q, 0));
    if (core < 0 || !uses_.only_reader(input_of(q, 0), qi)) return false;
    int act = -1;
    std::optional<PostOp> clamp = clamp_of(g_.nodes[static_cast<size_t>(core)]);
    if (clamp) {
      act = core;
      const int in = input_of(g_.nodes[static_cast<size_t>(act)], 0);
      core = producer_index(in);
      if (core < 0 || !uses_.only_reader(in, act)) return false;
    }
    const Node& c = g_.nodes[static_cast<size_t>(core)];
    if (c.dead || !passes::in_default_domain(c) || !passes::single_output(c)) return false;
    std::optional<Node> fused;
    if (c.op_type == "Conv") fused = conv(c, q, clamp);
    if (act < 0 && c.op_type == "MatMul") fused = matmul(c, q);
    if (act < 0 && (c.op_type == "Add" || c.op_type == "Mul")) fused = binary(c, q);
    if (act < 0 && c.op_type == "Sigmoid") fused = sigmoid(c, q);
    if (act < 0 && c.op_type == "MaxPool") fused = max_pool(c, q);
    if (act < 0 && c.op_type == "Concat") fused = concat(c, q);
    if (act < 0 && c.op_type == "GlobalAveragePool") fused = global_average_pool(c, q);
    if (!fused) return false;
    fused->outputs = {q.outputs[0]};
    g_.nodes[static_cast<size_t>(qi)] = std::move(*fused);
    g_.nodes[static_cast<size_t>(core)].dead = true;
    if (act >= 0) g_.nodes[static_cast<size_t>(act)].dead = true;
    return true;
  }

  bool available(const std::string& domain, const char* op, int opset) const {
    return passes::kernel_available(domain, op, opset, ctx_.reference_only);
  }

  // The output's type must be the 8-bit type the Q writes.
  DataType q_type(const Node& q) const {
    const int yz = input_of(q, 2);
    return yz >= 0 ? value_constant(g_, yz)->dtype() : DataType::kUInt8;
  }

  std::optional<Node> conv(const Node& c, const Node& q, const std::optional<PostOp>& clamp) {
    if (c.opset < 10 || !available("", "QLinearConv", c.opset)) return std::nullopt;
    auto x = activation_dq(input_of(c, 0));
    auto w = dq_of(input_of(c, 1));
    if (!x || !w) return std::nullopt;
    const Tensor* wq = value_constant(g_, w->x);
    if (!wq || !q8(wq->dtype()) || wq->rank() < 3) return std::nullopt;
    const int64_t m = wq->dim(0);
    const Tensor* ws = value_constant(g_, w->scale);
    if (ws->numel() != 1) {
      if (ws->numel() != m || (w->axis != 0 && w->axis != -wq->rank())) return std::nullopt;
    }
    const float xs = value_constant(g_, x->scale)->data<float>()[0];
    std::vector<float> bias_scale(static_cast<size_t>(m));
    for (int64_t i = 0; i < m; ++i) bias_scale[static_cast<size_t>(i)] = xs * ws->data<float>()[ws->numel() == 1 ? 0 : i];
    // add_constant may grow g_.values: no pointer into it is used past this point.
    const DataType wt = wq->dtype();
    int bias = -1;
    if (input_of(c, 2) >= 0) {
      auto b = int32_bias(input_of(c, 2), bias_scale, c.name);
      if (!b) return std::nullopt;
      bias = *b;
    }
    Node n;
    n.name = c.name;
    n.op_type = "QLinearConv";
    n.opset = c.opset;
    n.attrs = c.attrs;
    const DataType xt = passes::value_dtype(g_, x->x);
    n.inputs = {x->x, x->scale, zero_point_or_default(x->zp, xt, c.name + "_x"),
                w->x, w->scale, zero_point_or_default(w->zp, wt, c.name + "_w"),
                input_of(q, 1), zero_point_or_default(input_of(q, 2), q_type(q), c.name + "_y")};
    if (bias >= 0) n.inputs.push_back(bias);
    if (clamp) n.post_ops.push_back(*clamp);
    return n;
  }

  // The Conv bias as int32 with scale x_scale * w_scale[m]: a DQ'd int32 constant with that
  // scale as it is, else requantised from its float values.
  std::optional<int> int32_bias(int v, const std::vector<float>& scale, const std::string& hint) {
    const size_t m = scale.size();
    std::vector<double> real(m);
    if (auto d = dq_of(v)) {
      const Tensor* bq = value_constant(g_, d->x);
      const Tensor* bs = value_constant(g_, d->scale);
      const Tensor* bz = d->zp >= 0 ? value_constant(g_, d->zp) : nullptr;
      if (!bq || bq->dtype() != DataType::kInt32 || bq->numel() != static_cast<int64_t>(m)) return std::nullopt;
      if (bs->numel() != 1 && (bs->numel() != static_cast<int64_t>(m) || (d->axis != 0 && d->axis != -1)))
        return std::nullopt;
      bool same = true;  // zero points 0 and the expected scale: the int32 values as they are
      for (size_t i = 0; i < m; ++i) {
        const float s = bs->data<float>()[bs->numel() == 1 ? 0 : i];
        const double z = bz ? static_cast<double>(bz->value_as_int(bz->numel() == 1 ? 0 : static_cast<int64_t>(i))) : 0.0;
        real[i] = (static_cast<double>(bq->data<int32_t>()[i]) - z) * s;
        same = same && z == 0.0 && std::fabs(s - scale[i]) <= 1e-6f * scale[i];
      }
      if (same) return d->x;
    } else {
      const Tensor* b = value_constant(g_, v);
      if (!b || b->dtype() != DataType::kFloat || b->numel() != static_cast<int64_t>(m)) return std::nullopt;
      for (size_t i = 0; i < m; ++i) real[i] = b->data<float>()[i];
    }
    std::vector<int32_t> q(m);
    for (size_t i = 0; i < m; ++i) {
      double r = std::nearbyint(real[i] / static_cast<double>(scale[i]));
      r = std::fmin(std::fmax(r, -2147483648.0), 2147483647.0);
      q[i] = static_cast<int32_t>(r);
    }
    return passes::add_constant(g_, hint + "_bias_int32", Tensor::from_vector<int32_t>({static_cast<int64_t>(m)}, q));
  }

  std::optional<Node> matmul(const Node& c, const Node& q) {
    if (c.opset < 10 || !available("", "QLinearMatMul", c.opset)) return std::nullopt;
    auto a = activation_dq(input_of(c, 0));
    auto b = dq_of(input_of(c, 1));
    if (!a || !b) return std::nullopt;
    const Tensor* bq = value_constant(g_, b->x);
    if (!bq || !q8(bq->dtype()) || bq->rank() != 2) return std::nullopt;
    const Tensor* bs = value_constant(g_, b->scale);
    if (bs->numel() != 1 && (bs->numel() != bq->dim(1) || (b->axis != 1 && b->axis != -1))) return std::nullopt;
    const DataType bt = bq->dtype();  // add_constant below may grow g_.values
    Node n;
    n.name = c.name;
    n.op_type = "QLinearMatMul";
    n.opset = c.opset;
    n.inputs = {a->x, a->scale, zero_point_or_default(a->zp, passes::value_dtype(g_, a->x), c.name + "_a"),
                b->x, b->scale, zero_point_or_default(b->zp, bt, c.name + "_b"),
                input_of(q, 1), zero_point_or_default(input_of(q, 2), q_type(q), c.name + "_y")};
    return n;
  }

  // Add / Mul -> com.microsoft QLinearAdd / QLinearMul.
  std::optional<Node> binary(const Node& c, const Node& q) {
    const std::string op = c.op_type == "Add" ? "QLinearAdd" : "QLinearMul";
    if (c.inputs.size() != 2 || !available("com.microsoft", op.c_str(), 1)) return std::nullopt;
    auto a = activation_dq(input_of(c, 0));
    auto b = activation_dq(input_of(c, 1));
    if (!a || !b) return std::nullopt;
    const DataType t = passes::value_dtype(g_, a->x);
    if (passes::value_dtype(g_, b->x) != t || q_type(q) != t) return std::nullopt;
    Node n;
    n.name = c.name;
    n.op_type = op;
    n.domain = "com.microsoft";
    n.opset = 1;
    n.inputs = {a->x, a->scale, zero_point_or_default(a->zp, t, c.name + "_a"),
                b->x, b->scale, zero_point_or_default(b->zp, t, c.name + "_b"),
                input_of(q, 1), zero_point_or_default(input_of(q, 2), t, c.name + "_y")};
    return n;
  }

  std::optional<Node> sigmoid(const Node& c, const Node& q) {
    if (!available("com.microsoft", "QLinearSigmoid", 1)) return std::nullopt;
    auto x = activation_dq(input_of(c, 0));
    if (!x) return std::nullopt;
    const DataType t = passes::value_dtype(g_, x->x);
    if (q_type(q) != t) return std::nullopt;
    Node n;
    n.name = c.name;
    n.op_type = "QLinearSigmoid";
    n.domain = "com.microsoft";
    n.opset = 1;
    n.inputs = {x->x, x->scale, zero_point_or_default(x->zp, t, c.name + "_x"), input_of(q, 1),
                zero_point_or_default(input_of(q, 2), t, c.name + "_y")};
    return n;
  }

  // MaxPool commutes with the monotone DQ, and Q(DQ(v)) = v when Q and DQ share scale and zero
  // point: the pool then runs on the 8-bit values as they are (MaxPool takes int8/uint8).
  std::optional<Node> max_pool(const Node& c, const Node& q) {
    if (c.opset < 12 || !available("", "MaxPool", c.opset)) return std::nullopt;
    for (size_t i = 1; i < c.outputs.size(); ++i)
      if (c.outputs[i] >= 0) return std::nullopt;  // Indices
    auto x = activation_dq(input_of(c, 0));
    if (!x) return std::nullopt;
    const DataType t = passes::value_dtype(g_, x->x);
    if (q_type(q) != t || !same_scalar(x->scale, input_of(q, 1)) || !same_zero_point(x->zp, input_of(q, 2), t))
      return std::nullopt;
    Node n = c;
    n.inputs = {x->x};
    return n;
  }

  // Concat -> com.microsoft QLinearConcat (each input requantised to the output's parameters).
  std::optional<Node> concat(const Node& c, const Node& q) {
    if (!available("com.microsoft", "QLinearConcat", 1) || c.inputs.empty()) return std::nullopt;
    const DataType t = q_type(q);
    std::vector<Dq> ins;
    for (int v : c.inputs) {
      auto d = activation_dq(v);
      if (!d || passes::value_dtype(g_, d->x) != t) return std::nullopt;
      ins.push_back(*d);
    }
    Node n;
    n.name = c.name;
    n.op_type = "QLinearConcat";
    n.domain = "com.microsoft";
    n.opset = 1;
    n.attrs.set_int("axis", c.attrs.get_int("axis", 0));
    n.inputs = {input_of(q, 1), zero_point_or_default(input_of(q, 2), t, c.name + "_y")};
    for (const Dq& d : ins) {
      n.inputs.push_back(d.x);
      n.inputs.push_back(d.scale);
      n.inputs.push_back(zero_point_or_default(d.zp, t, c.name + "_x"));
    }
    return n;
  }

  bool same_scalar(int a, int b) const {
    const Tensor* ta = value_constant(g_, a);
    const Tensor* tb = value_constant(g_, b);
    return ta && tb && ta->numel() == 1 && tb->numel() == 1 && ta->dtype() == DataType::kFloat &&
           tb->dtype() == DataType::kFloat && ta->data<float>()[0] == tb->data<float>()[0];
  }
  bool same_zero_point(int a, int b, DataType t) const {
    auto value = [&](int v) -> std::optional<int64_t> {
      if (v < 0) return 0;
      const Tensor* c = value_constant(g_, v);
      if (!c || c->numel() != 1 || c->dtype() != t) return std::nullopt;
      return c->value_as_int(0);
    };
    auto va = value(a), vb = value(b);
    return va && vb && *va == *vb;
  }

  std::optional<Node> global_average_pool(const Node& c, const Node& q) {
    if (!available("com.microsoft", "QLinearGlobalAveragePool", 1)) return std::nullopt;
    auto x = activation_dq(input_of(c, 0));
    if (!x) return std::nullopt;
    const DataType t = passes::value_dtype(g_, x->x);
    if (q_type(q) != t) return std::nullopt;
    Node n;
    n.name = c.name;
    n.op_type = "QLinearGlobalAveragePool";
    n.domain = "com.microsoft";
    n.opset = 1;
    n.attrs.set_int("channels_last", 0);
    n.inputs = {x->x, x->scale, zero_point_or_default(x->zp, t, c.name + "_x"), input_of(q, 1),
                zero_point_or_default(input_of(q, 2), t, c.name + "_y")};
    return n;
  }

  Graph& g_;
  const PassContext& ctx_;
  passes::UseMap uses_;
  std::vector<int> producer_;
  bool inserted_ = false;  // nodes appended: the graph needs re-sorting
};

class QdqToQLinear : public GraphPass {
 public:
  const char* name() const override { return "qdq-to-qlinear"; }
  Result<int> apply(Graph& graph, const PassContext& ctx) const override {
    Rewriter r(graph, ctx);
    const int changed = r.run();
    if (!r.sorted_ok()) return internal_error("qdq-to-qlinear: the rewritten graph could not be sorted");
    return changed;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(90, QdqToQLinear);

}  // namespace fogline::engine
