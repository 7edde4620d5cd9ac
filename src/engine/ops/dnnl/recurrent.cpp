#include "engine/ops/dnnl/recurrent.h"

#include <cstring>

#include "engine/ops/rnn/rnn_common.h"

namespace fogline::engine::ops::dnnl_ops {
namespace {

using rnn::Activation;

struct RecurrentPrim {
  dnnl::primitive_desc pd;
  dnnl::primitive prim;
  int64_t steps = 0, batch = 0, input = 0, hidden = 0, dirs = 0;
  dnnl::memory::desc src_layer, state, dst_layer, bias, peephole;
  dnnl::memory::desc weights_layer_user, weights_iter_user, weights_layer, weights_iter;
  // Set when W, R, B (and P) are constants: everything the primitive reads besides X and states.
  bool packed = false;
  PackedWeights packed_layer, packed_iter;
  std::vector<float> packed_bias, packed_peephole;
};

// ONNX [D, G*H, X] -> oneDNN ldgoi [1, D, G, H, X] with the gates in oneDNN's order.
std::vector<float> arrange_weights(const float* onnx, int64_t dirs, int gates, int64_t hidden, int64_t x,
                                   const std::array<int, 4>& from_onnx) {
  std::vector<float> out(static_cast<size_t>(dirs * gates * hidden * x));
  const int64_t block = hidden * x;
  for (int64_t d = 0; d < dirs; ++d)
    for (int g = 0; g < gates; ++g)
      std::memcpy(out.data() + (d * gates + g) * block, onnx + (d * gates + from_onnx[static_cast<size_t>(g)]) * block,
                  static_cast<size_t>(block) * sizeof(float));
  return out;
}

class DnnlRecurrent : public DnnlKernel<RecurrentPrim> {
 public:
  static Result<std::unique_ptr<Kernel>> make(const KernelBuildInfo& info, RecurrentSpec spec) {
    if (info.input_dtype(0) != DataType::kFloat && info.input_dtype(0) != DataType::kUndefined)
      return unsupported(std::string("oneDNN ") + spec.op + " handles float32 only");
    FOGLINE_ASSIGN_OR_RETURN(rnn::RnnAttrs at, rnn::parse_rnn_attrs(info.attrs(), default_names(spec), spec.op));
    if (at.clip > 0) return unsupported(std::string(spec.op) + " with clip runs on the reference kernel");
    if (at.layout != 0) return unsupported(std::string(spec.op) + " with layout 1 runs on the reference kernel");
    if (spec.lstm && info.attrs().get_int("input_forget", 0) != 0)
      return unsupported("LSTM with input_forget runs on the reference kernel");
    for (size_t k = 0; k < at.acts.size(); ++k) {
      const bool gate = k % static_cast<size_t>(spec.activations_per_direction) == 0;
      if (at.acts[k].kind != (gate ? Activation::Kind::kSigmoid : Activation::Kind::kTanh))
        return unsupported(std::string(spec.op) + " with non-default activations runs on the reference kernel");
    }
    auto k = std::unique_ptr<DnnlRecurrent>(new DnnlRecurrent());
    k->spec_ = std::move(spec);
    k->dirs_ = at.num_directions;
    k->reverse_ = at.reverse;
    const Tensor* w = info.input_constant(1);
    const Tensor* r = info.input_constant(2);
    const Tensor* b = info.has_input(3) ? info.input_constant(3) : nullptr;
    const Tensor* p = k->spec_.lstm && info.has_input(7) ? info.input_constant(7) : nullptr;
    k->has_peephole_ = k->spec_.lstm && info.has_input(7);
    k->constant_ = w && r && (!info.has_input(3) || b) && (!k->has_peephole_ || p);
    if (k->constant_) {
      k->w_ = *w;
      k->r_ = *r;
      if (b) k->b_ = *b;
      if (p) k->p_ = *p;
    }
    std::vector<Shape> shapes;
    auto xs = info.input_static_shape(0), rs = info.input_static_shape(2);
    if (xs && rs) shapes = {*xs, *rs};
    FOGLINE_TRY(k->prebuild(info, shapes));
    return std::unique_ptr<Kernel>(std::move(k));
  }

 protected:
  bool handles(const KernelContext& ctx) const override {
    for (int i : {0, 1, 2, 3, 5, 6, 7})
      if (ctx.has_input(i) && ctx.input(i)->dtype() != DataType::kFloat) return false;
    if (!ctx.has_input(1) || !ctx.has_input(2) || ctx.input(0)->rank() != 3) return false;
    if (const Tensor* lens = ctx.input(4)) {
      // oneDNN runs every sequence for all steps: only uniform full lengths match.
      auto values = read_int64s(*lens, "sequence_lens");
      if (!values.is_ok()) return false;
      for (int64_t v : *values)
        if (v != ctx.input(0)->dim(0)) return false;
    }
    return true;
  }

  std::vector<Shape> key_shapes(const KernelContext& ctx) const override {
    return {ctx.input(0)->shape(), ctx.input(2)->shape()};
  }

  Result<std::shared_ptr<const RecurrentPrim>> build(const std::vector<Shape>& s) const override {
    const Shape& x = s[0];
    const Shape& r = s[1];
    if (x.size() != 3 || r.size() != 3 || r[0] != dirs_ || r[1] != spec_.gates * r[2])
      return unsupported("shapes the reference kernel reports on");
    auto p = std::make_shared<RecurrentPrim>();
    p->steps = x[0];
    p->batch = x[1];
    p->input = x[2];
    p->hidden = r[2];
    p->dirs = dirs_;
    if (p->steps == 0 || p->batch == 0 || p->input == 0 || p->hidden == 0) return unsupported("empty tensors");
    const int64_t T = p->steps, N = p->batch, I = p->input, H = p->hidden, D = p->dirs;
    const int G = spec_.gates;
    const int bias_gates = G + (spec_.linear_before_reset ? 1 : 0);
    p->src_layer = plain_md({T, N, I});
    p->state = plain_md({1, D, N, H});
    p->dst_layer = plain_md({T, N, D * H});
    p->weights_layer_user = dnnl::memory::desc({1, D, I, G, H}, dt::f32, tag::ldgoi);
    p->weights_iter_user = dnnl::memory::desc({1, D, H, G, H}, dt::f32, tag::ldgoi);
    p->bias = dnnl::memory::desc({1, D, bias_gates, H}, dt::f32, tag::ldgo);
    if (has_peephole_) p->peephole = dnnl::memory::desc({1, D, 3, H}, dt::f32, tag::ldgo);
    const dnnl::memory::desc wl_any({1, D, I, G, H}, dt::f32, tag::any), wi_any({1, D, H, G, H}, dt::f32, tag::any);
    const auto dir = D == 2   ? dnnl::rnn_direction::bidirectional_concat
                     : reverse_ ? dnnl::rnn_direction::unidirectional_right2left
                                : dnnl::rnn_direction::unidirectional_left2right;
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto& eng = cpu_engine();
    dnnl::primitive_attr attr = base_attr();
    if (spec_.lstm) {
      dnnl::lstm_forward::primitive_desc pd(
          dnnl::lstm_forward::desc(prop, dir, p->src_layer, p->state, p->state, wl_any, wi_any, p->peephole, p->bias,
                                   p->dst_layer, p->state, p->state),
          attr, eng);
      p->pd = pd;
      p->prim = dnnl::lstm_forward(pd);
    } else if (spec_.linear_before_reset) {
      dnnl::lbr_gru_forward::primitive_desc pd(
          dnnl::lbr_gru_forward::desc(prop, dir, p->src_layer, p->state, wl_any, wi_any, p->bias, p->dst_layer, p->state),
          attr, eng);
      p->pd = pd;
      p->prim = dnnl::lbr_gru_forward(pd);
    } else {
      dnnl::gru_forward::primitive_desc pd(
          dnnl::gru_forward::desc(prop, dir, p->src_layer, p->state, wl_any, wi_any, p->bias, p->dst_layer, p->state),
          attr, eng);
      p->pd = pd;
      p->prim = dnnl::gru_forward(pd);
    }
    p->weights_layer = p->pd.query_md(dnnl::query::exec_arg_md, DNNL_ARG_WEIGHTS_LAYER);
    p->weights_iter = p->pd.query_md(dnnl::query::exec_arg_md, DNNL_ARG_WEIGHTS_ITER);
    if (constant_) {
      pack(*p, w_.data<float>(), r_.data<float>(), b_.defined() ? b_.data<float>() : nullptr,
           p_.defined() ? p_.data<float>() : nullptr, p->packed_layer, p->packed_iter, p->packed_bias,
           p->packed_peephole);
      p->packed = true;
    }
    return std::shared_ptr<const RecurrentPrim>(std::move(p));
  }

  Status execute(KernelContext& ctx, const RecurrentPrim& p) const override {
    const int64_t T = p.steps, N = p.batch, H = p.hidden, D = p.dirs;
    const size_t state_floats = static_cast<size_t>(D * N * H);
    // Non-constant weights are rearranged per run (rare: weights computed inside the graph).
    PackedWeights run_layer, run_iter;
    std::vector<float> run_bias, run_peephole;
    if (!p.packed) {
      pack(p, ctx.input(1)->data<float>(), ctx.input(2)->data<float>(),
           ctx.has_input(3) ? ctx.input(3)->data<float>() : nullptr,
           spec_.lstm && ctx.has_input(7) ? ctx.input(7)->data<float>() : nullptr, run_layer, run_iter, run_bias,
           run_peephole);
    }
    const PackedWeights& layer = p.packed ? p.packed_layer : run_layer;
    const PackedWeights& iter = p.packed ? p.packed_iter : run_iter;
    const std::vector<float>& bias = p.packed ? p.packed_bias : run_bias;
    const std::vector<float>& peephole = p.packed ? p.packed_peephole : run_peephole;

    // States the graph does not give or want live in one per-thread buffer.
    const int outputs = spec_.lstm ? 2 : 1;
    float* aux = static_cast<float*>(thread_buffer(kAuxTmp, (2 + 2 * outputs) * state_floats * sizeof(float)));
    auto slice = [&](int i) { return aux + static_cast<size_t>(i) * state_floats; };
    const auto& eng = cpu_engine();
    auto mem = [&](const dnnl::memory::desc& md, const void* data) {
      return dnnl::memory(md, eng, const_cast<void*>(data));
    };
    std::unordered_map<int, dnnl::memory> args;
    args[DNNL_ARG_SRC_LAYER] = mem(p.src_layer, ctx.input(0)->raw());
    args[DNNL_ARG_WEIGHTS_LAYER] = layer.memory();
    args[DNNL_ARG_WEIGHTS_ITER] = iter.memory();
    args[DNNL_ARG_BIAS] = mem(p.bias, bias.data());
    if (spec_.lstm && has_peephole_) args[DNNL_ARG_WEIGHTS_PEEPHOLE] = mem(p.peephole, peephole.data());
    // Initial states: inputs 5 (h) and 6 (c), [D, N, H] = ldnc with one layer.
    const int state_args[2] = {DNNL_ARG_SRC_ITER, DNNL_ARG_SRC_ITER_C};
    for (int k = 0; k < outputs; ++k) {
      const Tensor* given = ctx.input(5 + k);
      if (given && given->shape() != Shape{D, N, H}) {
        return invalid_argument(std::string(spec_.op) + (k == 0 ? " initial_h" : " initial_c") + " must be " +
                                shape_to_string(Shape{D, N, H}) + ", got " + shape_to_string(given->shape()));
      }
      float* zeros = slice(k);
      if (!given) std::fill(zeros, zeros + state_floats, 0.0f);
      args[state_args[k]] = mem(p.state, given ? given->raw() : zeros);
    }
    // Outputs: Y [T, D, N, H] is oneDNN's [T, N, D*H] only for one direction.
    Tensor* y = nullptr;
    if (ctx.wants_output(0)) {
      FOGLINE_ASSIGN_OR_RETURN(y, ctx.allocate_output(0, DataType::kFloat, Shape{T, D, N, H}));
    }
    float* y_dnnl = (y && D == 1) ? y->data<float>()
                                  : static_cast<float*>(thread_buffer(kDstTmp, static_cast<size_t>(T * N * D * H) * sizeof(float)));
    args[DNNL_ARG_DST_LAYER] = mem(p.dst_layer, y_dnnl);
    const int out_args[2] = {DNNL_ARG_DST_ITER, DNNL_ARG_DST_ITER_C};
    for (int k = 0; k < outputs; ++k) {
      void* dst = slice(2 + outputs + k);
      if (ctx.wants_output(1 + k)) {
        FOGLINE_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(1 + k, DataType::kFloat, Shape{D, N, H}));
        dst = t->raw();
      }
      args[out_args[k]] = mem(p.state, dst);
    }
    dnnl_ops::execute(p.prim, p.pd, std::move(args), thread_stream());
    if (y && D != 1) {
      float* out = y->data<float>();
      for (int64_t t = 0; t < T; ++t)
        for (int64_t d = 0; d < D; ++d)
          for (int64_t n = 0; n < N; ++n)
            std::memcpy(out + ((t * D + d) * N + n) * H, y_dnnl + ((t * N + n) * D + d) * H,
                        static_cast<size_t>(H) * sizeof(float));
    }
    return Status::ok();
  }

 private:
  static std::vector<std::string> default_names(const RecurrentSpec& spec) {
    std::vector<std::string> names{"Sigmoid"};
    for (int i = 1; i < spec.activations_per_direction; ++i) names.push_back("Tanh");
    return names;
  }

  // Rearranges W, R, B, P (ONNX layouts) into what the primitive reads.
  void pack(const RecurrentPrim& p, const float* w, const float* r, const float* b, const float* peep,
            PackedWeights& layer, PackedWeights& iter, std::vector<float>& bias, std::vector<float>& peephole) const {
    const int64_t D = p.dirs, H = p.hidden;
    const int G = spec_.gates;
    std::vector<float> wl = arrange_weights(w, D, G, H, p.input, spec_.from_onnx);
    std::vector<float> wi = arrange_weights(r, D, G, H, H, spec_.from_onnx);
    layer = pack_weights(p.weights_layer_user, wl.data(), p.weights_layer);
    iter = pack_weights(p.weights_iter_user, wi.data(), p.weights_iter);
    // ONNX B = [Wb (G*H), Rb (G*H)] per direction; oneDNN adds them per gate, except that
    // linear-before-reset keeps the candidate's Rb apart (it sits inside r * (...)).
    const int bias_gates = G + (spec_.linear_before_reset ? 1 : 0);
    bias.assign(static_cast<size_t>(D * bias_gates * H), 0.0f);
    if (b) {
      for (int64_t d = 0; d < D; ++d) {
        const float* wb = b + d * 2 * G * H;
        const float* rb = wb + G * H;
        float* out = bias.data() + d * bias_gates * H;
        for (int g = 0; g < G; ++g) {
          const int from = spec_.from_onnx[static_cast<size_t>(g)];
          const bool split = spec_.linear_before_reset && g == 2;
          for (int64_t j = 0; j < H; ++j) out[g * H + j] = wb[from * H + j] + (split ? 0.0f : rb[from * H + j]);
        }
        if (spec_.linear_before_reset)
          for (int64_t j = 0; j < H; ++j) out[3 * H + j] = rb[2 * H + j];
      }
    }
    // Peepholes: ONNX i, o, f; oneDNN i, f, o.
    peephole.clear();
    if (spec_.lstm && has_peephole_) {
      peephole.assign(static_cast<size_t>(D * 3 * H), 0.0f);
      if (peep) {
        const int from[3] = {0, 2, 1};
        for (int64_t d = 0; d < D; ++d)
          for (int g = 0; g < 3; ++g)
            std::memcpy(peephole.data() + (d * 3 + g) * H, peep + (d * 3 + from[g]) * H,
                        static_cast<size_t>(H) * sizeof(float));
      }
    }
  }

  RecurrentSpec spec_;
  int dirs_ = 1;
  bool reverse_ = false;
  bool has_peephole_ = false, constant_ = false;
  Tensor w_, r_, b_, p_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> make_recurrent_kernel(const KernelBuildInfo& info, RecurrentSpec spec) {
  return DnnlRecurrent::make(info, std::move(spec));
}

}  // namespace fogline::engine::ops::dnnl_ops
