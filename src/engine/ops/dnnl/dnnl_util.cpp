#include "engine/ops/dnnl/dnnl_util.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace fogline::engine::ops::dnnl_ops {

const dnnl::engine& cpu_engine() {
  static const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& thread_stream() {
  thread_local dnnl::stream s(cpu_engine());
  return s;
}

namespace {
struct ThreadBuffers {
  struct Slot {
    void* p = nullptr;
    size_t size = 0;
  };
  std::array<Slot, kNumSlots> slots;
  ~ThreadBuffers() {
    for (auto& s : slots) std::free(s.p);
  }
};

void* aligned_bytes(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) throw std::bad_alloc();
  return p;
}
}  // namespace

void* thread_buffer(BufferSlot slot, size_t bytes) {
  thread_local ThreadBuffers buffers;
  auto& s = buffers.slots[slot];
  if (s.size < bytes || !s.p) {
    std::free(s.p);
    s.p = nullptr;
    s.p = aligned_bytes(bytes);
    s.size = bytes;
  }
  return s.p;
}

dnnl::memory::dims to_dims(const Shape& s) { return dnnl::memory::dims(s.begin(), s.end()); }

dnnl::memory::desc plain_md(const Shape& s, dt type) {
  Shape strides(s.size(), 1);
  for (size_t i = s.size(); i-- > 1;) strides[i - 1] = strides[i] * std::max<int64_t>(s[i], 1);
  return strided_md(s, strides, type);
}

dnnl::memory::desc layout_md(const Shape& s, const std::string& layout, dt type) {
  const size_t suffix = layout.rfind(kBf16Suffix);
  if (suffix != std::string::npos && suffix + std::strlen(kBf16Suffix) == layout.size()) {
    return layout_md_as(s, layout, type == dt::f32 ? dt::bf16 : type);
  }
  return layout_md_as(s, layout, type);
}

bool cpu_has_native_bf16() {
  const auto isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

dnnl::memory::desc layout_md_as(const Shape& s, const std::string& tagged, dt type) {
  const std::string layout = tagged.substr(0, tagged.rfind(kBf16Suffix));
  if (layout.empty()) return plain_md(s, type);
  // The onednn-layout pass only tags 4-D values, and only with these.
  if (layout == "nhwc" && s.size() == 4) return dnnl::memory::desc(to_dims(s), type, tag::nhwc);
  if (layout == "nChw16c" && s.size() == 4) return dnnl::memory::desc(to_dims(s), type, tag::nChw16c);
  if (layout == "nChw8c" && s.size() == 4) return dnnl::memory::desc(to_dims(s), type, tag::nChw8c);
  throw std::invalid_argument("unknown layout '" + layout + "' for a tensor of rank " + std::to_string(s.size()));
}

std::string input_layout(const KernelBuildInfo& info, int i) {
  if (!info.has_input(i)) return "";
  return info.graph().values[static_cast<size_t>(info.node().inputs[static_cast<size_t>(i)])].layout;
}

std::string output_layout(const KernelBuildInfo& info, int i) {
  if (i >= info.num_outputs() || info.node().outputs[static_cast<size_t>(i)] < 0) return "";
  return info.graph().values[static_cast<size_t>(info.node().outputs[static_cast<size_t>(i)])].layout;
}

bool has_layout_tags(const KernelBuildInfo& info) {
  for (int i = 0; i < info.num_inputs(); ++i) if (!input_layout(info, i).empty()) return true;
  for (int i = 0; i < info.num_outputs(); ++i) if (!output_layout(info, i).empty()) return true;
  return false;
}

dnnl::memory::desc strided_md(const Shape& s, const Shape& strides, dt type) {
  return dnnl::memory::desc(to_dims(s), type, to_dims(strides));
}

bool is_reference_impl(const dnnl::primitive_desc_base& pd) {
  return std::string(pd.impl_info_str()).rfind("ref", 0) == 0;
}

dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {

// One oneDNN eltwise post-op: algorithm and parameters.
struct EltwiseSpelling {
  dnnl::algorithm alg;
  float alpha = 0.f, beta = 0.f;
};

// oneDNN 2.6's x64 post-op injector keeps one eltwise injector per algorithm, built with the
// first post-op's parameters: a chain with the same algorithm twice at different parameters
// (a dequantised network's Conv -> Clip -> Add -> Clip: clip, sum, clip with other bounds)
// silently applies the first one's parameters to both. Each eltwise step therefore gets
// equivalent spellings, and the first whose algorithm is unused, or used with the same
// parameters, is taken (clip and clip_v2 clamp the same in inference).
class EltwiseChain {
 public:
  // False when every spelling's algorithm is already taken with other parameters.
  bool append(dnnl::post_ops& ops, std::initializer_list<EltwiseSpelling> spellings) {
    for (const EltwiseSpelling& e : spellings) {
      bool clash = false, same = false;
      for (const EltwiseSpelling& u : used_) {
        if (u.alg != e.alg) continue;
        if (u.alpha == e.alpha && u.beta == e.beta) same = true;
        else clash = true;
      }
      if (clash) continue;
      if (!same) used_.push_back(e);
      ops.append_eltwise(1.f, e.alg, e.alpha, e.beta);
      return true;
    }
    return false;
  }

 private:
  std::vector<EltwiseSpelling> used_;
};

}  // namespace

Result<MappedPostOps> map_post_ops(const std::vector<PostOp>& post, const dnnl::memory::desc& addend_md,
                                   const dnnl::memory::desc* first_add, bool add_as_sum) {
  using A = dnnl::algorithm;
  constexpr float kMax = std::numeric_limits<float>::max();
  MappedPostOps m;
  EltwiseChain chain;
  if (first_add) m.ops.append_binary(A::binary_add, *first_add);
  for (const PostOp& p : post) {
    bool ok = true;
    switch (p.kind) {
      case PostOp::Kind::kRelu: ok = chain.append(m.ops, {{A::eltwise_relu}, {A::eltwise_clip, 0.f, kMax}, {A::eltwise_clip_v2, 0.f, kMax}}); break;
      case PostOp::Kind::kLeakyRelu: ok = chain.append(m.ops, {{A::eltwise_relu, p.alpha}}); break;
      case PostOp::Kind::kClip:
        // oneDNN clamps max-then-min; the reference gives `alpha` below it even when alpha > beta.
        if (!(p.alpha <= p.beta)) return unsupported("Clip post-op with min > max");
        ok = chain.append(m.ops, {{A::eltwise_clip, p.alpha, p.beta}, {A::eltwise_clip_v2, p.alpha, p.beta}});
        break;
      case PostOp::Kind::kSigmoid: ok = chain.append(m.ops, {{A::eltwise_logistic}}); break;
      case PostOp::Kind::kTanh: ok = chain.append(m.ops, {{A::eltwise_tanh}}); break;
      case PostOp::Kind::kSilu: ok = chain.append(m.ops, {{A::eltwise_swish, 1.f}}); break;
      case PostOp::Kind::kHardSigmoid:
        // oneDNN 2.6 has no hardsigmoid: clamp(alpha * x + beta, 0, 1) as two steps.
        ok = chain.append(m.ops, {{A::eltwise_linear, p.alpha, p.beta}}) &&
             chain.append(m.ops, {{A::eltwise_clip, 0.f, 1.f}, {A::eltwise_clip_v2, 0.f, 1.f}});
        break;
      case PostOp::Kind::kHardSwish: ok = chain.append(m.ops, {{A::eltwise_hardswish}}); break;
      case PostOp::Kind::kGeluErf: ok = chain.append(m.ops, {{A::eltwise_gelu_erf}}); break;
      case PostOp::Kind::kGeluTanh: ok = chain.append(m.ops, {{A::eltwise_gelu_tanh}}); break;
      case PostOp::Kind::kAdd:
        if (p.input < 0) return unsupported("Add post-op without an operand");
        if (add_as_sum && !m.addends.empty()) return unsupported("more than one fused Add as sum");
        m.addends.emplace_back(m.ops.len(), p.input);
        if (add_as_sum) {
          m.ops.append_sum(1.f);
        } else {
          m.ops.append_binary(A::binary_add, addend_md);
        }
        break;
    }
    // The reference kernel then runs the node (slower, but right).
    if (!ok) return unsupported("post-op chain repeats a oneDNN eltwise algorithm with other parameters");
  }
  return m;
}

bool addends_match(const KernelContext& ctx, const Shape& out_shape) {
  for (const PostOp& p : ctx.node().post_ops) {
    if (p.kind != PostOp::Kind::kAdd) continue;
    const Tensor* t = ctx.input(p.input);
    if (!t || t->dtype() != DataType::kFloat || t->shape() != out_shape) return false;
  }
  return true;
}

std::unique_ptr<Kernel> reference_fallback(const KernelBuildInfo& info) {
  auto k = create_kernel(info, /*reference_only=*/true);
  if (!k.is_ok()) return nullptr;
  return std::move(k).value();
}

void Operand::init(const dnnl::memory::desc& u, const dnnl::memory::desc& p, bool input) {
  user = u;
  prim = p;
  if (!needs_reorder()) return;
  const auto& eng = cpu_engine();
  if (input) {
    to_pd = dnnl::reorder::primitive_desc(eng, user, eng, prim, base_attr());
    to_prim = dnnl::reorder(to_pd);
  } else {
    from_pd = dnnl::reorder::primitive_desc(eng, prim, eng, user, base_attr());
    from_prim = dnnl::reorder(from_pd);
  }
}

namespace {
void run_reorder(const dnnl::reorder& r, const dnnl::reorder::primitive_desc& pd, const dnnl::memory& from,
                 const dnnl::memory& to, dnnl::stream& s) {
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
  execute(r, pd, std::move(args), s);
}
}  // namespace

dnnl::memory Operand::prepare_input(const void* data, BufferSlot slot, dnnl::stream& s) const {
  dnnl::memory u(user, cpu_engine(), const_cast<void*>(data));
  if (!needs_reorder()) return u;
  dnnl::memory p(prim, cpu_engine(), thread_buffer(slot, prim.get_size()));
  run_reorder(to_prim, to_pd, u, p, s);
  return p;
}

void Operand::reorder_into(const void* data, const dnnl::memory& target, dnnl::stream& s) const {
  run_reorder(to_prim, to_pd, dnnl::memory(user, cpu_engine(), const_cast<void*>(data)), target, s);
}

dnnl::memory Operand::output_memory(void* data, BufferSlot slot) const {
  if (!needs_reorder()) return dnnl::memory(user, cpu_engine(), data);
  return dnnl::memory(prim, cpu_engine(), thread_buffer(slot, prim.get_size()));
}

void Operand::finish_output(const dnnl::memory& m, void* data, dnnl::stream& s) const {
  if (!needs_reorder()) return;
  run_reorder(from_prim, from_pd, m, dnnl::memory(user, cpu_engine(), data), s);
}

dnnl::memory zeroed_memory(const dnnl::memory::desc& md) {
  dnnl::memory m(md, cpu_engine());
  if (md.get_size() > 0 && m.get_data_handle()) std::memset(m.get_data_handle(), 0, md.get_size());
  return m;
}

std::unordered_map<int, dnnl::memory> zeroed_conv_args(const dnnl::convolution_forward::primitive_desc& pd,
                                                       const dnnl::memory& weights, bool bias) {
  std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, zeroed_memory(pd.src_desc())},
                                             {DNNL_ARG_WEIGHTS, weights},
                                             {DNNL_ARG_DST, zeroed_memory(pd.dst_desc())},
                                             {DNNL_ARG_SCRATCHPAD, zeroed_memory(pd.scratchpad_desc())}};
  if (bias) args[DNNL_ARG_BIAS] = zeroed_memory(pd.bias_desc());
  return args;
}

double best_seconds_per_run(const dnnl::primitive& prim, const std::unordered_map<int, dnnl::memory>& args) {
  auto& s = thread_stream();
  auto run = [&](int n) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) prim.execute(s, args);
    s.wait();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / n;
  };
  const double first = run(1);  // warms caches and page tables
  const int batch = std::max(1, std::min(20, static_cast<int>(1e-4 / std::max(first, 1e-7))));
  double best = 1e30;
  for (int i = 0; i < 4; ++i) best = std::min(best, run(batch));
  return best;
}

PackedWeights pack_weights(const dnnl::memory::desc& user, const void* data, const dnnl::memory::desc& prim) {
  PackedWeights w;
  w.md = prim;
  w.bytes = std::shared_ptr<void>(aligned_bytes(prim.get_size()), [](void* p) { std::free(p); });
  const auto& eng = cpu_engine();
  dnnl::memory from(user, eng, const_cast<void*>(data));
  dnnl::memory to(prim, eng, w.bytes.get());
  dnnl::stream s(eng);
  dnnl::reorder(from, to).execute(s, from, to);
  s.wait();
  return w;
}

void execute(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, dnnl::memory> args, dnnl::stream& s) {
  auto sp = pd.scratchpad_desc();
  if (sp.get_size() > 0) {
    args[DNNL_ARG_SCRATCHPAD] = dnnl::memory(sp, cpu_engine(), thread_buffer(kScratchpad, sp.get_size()));
  }
  p.execute(s, args);
  s.wait();
}

Status execute_unary(KernelContext& ctx, const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
                     const dnnl::memory::desc& src_md, const Operand& dst, const Shape& out_shape,
                     const Operand* src) {
  // The output has the input's element type (fp32, or 8-bit for max pooling).
  FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, ctx.input(0)->dtype(), out_shape));
  const void* x = ctx.input(0)->raw();
  std::unordered_map<int, dnnl::memory> args{
      {DNNL_ARG_SRC, src && src->needs_reorder() ? src->prepare_input(x, kSrcTmp, thread_stream())
                                                  : dnnl::memory(src_md, cpu_engine(), const_cast<void*>(x))}};
  dnnl::memory out = dst.output_memory(y->raw(), kDstTmp);
  args[DNNL_ARG_DST] = out;
  execute(p, pd, std::move(args), thread_stream());
  dst.finish_output(out, y->raw(), thread_stream());
  return Status::ok();
}

Result<Window> conv_window(const Shape& in, const std::vector<int64_t>& kernel,
                           const std::vector<int64_t>& strides_attr, const std::vector<int64_t>& dil_attr,
                           const std::vector<int64_t>& pads_attr, const std::string& auto_pad,
                           bool ceil_mode, const std::string& op) {
  const size_t n = in.size();
  auto sized = [&](const std::vector<int64_t>& v, int64_t fill, const char* what) -> Result<std::vector<int64_t>> {
    if (v.empty()) return std::vector<int64_t>(n, fill);
    if (v.size() != n) {
      return invalid_argument(op + " '" + what + "' has " + std::to_string(v.size()) + " values, expected " +
                              std::to_string(n));
    }
    return v;
  };
  Window w;
  if (kernel.size() != n) {
    return invalid_argument(op + " kernel has " + std::to_string(kernel.size()) + " spatial dims, input has " +
                            std::to_string(n));
  }
  w.kernel = kernel;
  FOGLINE_ASSIGN_OR_RETURN(w.strides, sized(strides_attr, 1, "strides"));
  FOGLINE_ASSIGN_OR_RETURN(w.dilations, sized(dil_attr, 1, "dilations"));
  std::vector<int64_t> pads = pads_attr.empty() ? std::vector<int64_t>(2 * n, 0) : pads_attr;
  if (pads.size() != 2 * n) {
    return invalid_argument(op + " 'pads' has " + std::to_string(pads.size()) + " values, expected " +
                            std::to_string(2 * n));
  }
  w.pad_l.resize(n);
  w.pad_r.resize(n);
  w.out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (w.kernel[i] < 1 || w.strides[i] < 1 || w.dilations[i] < 1) {
      return invalid_argument(op + " kernel, strides and dilations must be positive");
    }
    const int64_t dk = (w.kernel[i] - 1) * w.dilations[i] + 1;
    const int64_t s = w.strides[i];
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      w.out[i] = (in[i] + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (w.out[i] - 1) * s + dk - in[i]);
      w.pad_l[i] = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      w.pad_r[i] = total - w.pad_l[i];
    } else if (auto_pad == "VALID") {
      if (in[i] < dk) return invalid_argument(op + " window is larger than the input");
      w.pad_l[i] = w.pad_r[i] = 0;
      w.out[i] = (in[i] - dk) / s + 1;
    } else if (auto_pad.empty() || auto_pad == "NOTSET") {
      w.pad_l[i] = pads[i];
      w.pad_r[i] = pads[i + n];
      if (w.pad_l[i] < 0 || w.pad_r[i] < 0) return invalid_argument(op + " pads must be non-negative");
      const int64_t span = in[i] + w.pad_l[i] + w.pad_r[i] - dk;
      if (span < 0) {
        return invalid_argument(op + " window (" + std::to_string(dk) + ") is larger than the padded input (" +
                                std::to_string(in[i] + w.pad_l[i] + w.pad_r[i]) + ")");
      }
      w.out[i] = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
      // A last window starting in the right padding would see no input.
      if (ceil_mode && (w.out[i] - 1) * s >= in[i] + w.pad_l[i]) w.out[i]--;
      // oneDNN derives the size from the pads: the right pad is what the last window needs.
      if (ceil_mode) w.pad_r[i] = (w.out[i] - 1) * s + dk - in[i] - w.pad_l[i];
    } else {
      return invalid_argument(op + " has unknown auto_pad '" + auto_pad + "'");
    }
  }
  return w;
}

dnnl::memory::dims dnnl_dilations(const std::vector<int64_t>& d) {
  dnnl::memory::dims out;
  for (int64_t v : d) out.push_back(v - 1);
  return out;
}

}  // namespace fogline::engine::ops::dnnl_ops
