// Shared plumbing for the oneDNN kernels: one engine, per-thread streams and scratch buffers,
// plain memory descriptors, post-op mapping, a per-shape primitive cache, and error wrapping.
//
// Thread-safety model: primitives and pre-reordered weights are built once (at load time when
// shapes are static, else per input-shape under a mutex) and then only read. Everything a run
// writes — scratchpad, reorder temporaries, the stream — is per calling thread, so concurrent
// runs of one Session never share mutable state.
#pragma once

#include <dnnl.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/kernel.h"

namespace fogline::engine::ops::dnnl_ops {

using dt = dnnl::memory::data_type;

// oneDNN's 8-bit type for an ONNX quantised tensor type (uint8 or int8).
inline dt q8_type(DataType t) { return t == DataType::kUInt8 ? dt::u8 : dt::s8; }
using tag = dnnl::memory::format_tag;

const dnnl::engine& cpu_engine();
// A stream for the calling thread (CPU streams execute synchronously in the caller).
dnnl::stream& thread_stream();
// A 64-byte aligned buffer of at least `bytes`, owned by the calling thread and reused by
// later runs on that thread. Slots keep a kernel's temporaries apart.
enum BufferSlot { kScratchpad = 0, kSrcTmp, kDstTmp, kWeightsTmp, kAuxTmp, kNumSlots };
void* thread_buffer(BufferSlot slot, size_t bytes);

dnnl::memory::dims to_dims(const Shape& s);
// Dense row-major descriptor of `s` (any rank 1..12).
dnnl::memory::desc plain_md(const Shape& s, dt type = dt::f32);
// Descriptor of `s` in a value's layout (Value::layout, set by the onednn-layout pass): the
// plain row-major one for "", else the oneDNN format tag it names. A tag with the suffix
// ":bf16" (bf16-compute pass) holds bfloat16 bytes: a float value's descriptor is then bf16.
dnnl::memory::desc layout_md(const Shape& s, const std::string& layout, dt type = dt::f32);
// The same layout as `layout` with the element type `type`, whatever the tag's suffix says.
dnnl::memory::desc layout_md_as(const Shape& s, const std::string& layout, dt type);
inline constexpr const char* kBf16Suffix = ":bf16";
// True when oneDNN runs bf16 convolutions natively here (AVX512_BF16 or AMX, under
// ONEDNN_MAX_CPU_ISA): elsewhere it emulates them, slower than fp32.
bool cpu_has_native_bf16();
// The layout of the node's input / output i ("" when absent or plain).
std::string input_layout(const KernelBuildInfo& info, int i);
std::string output_layout(const KernelBuildInfo& info, int i);
// True when any input or output of the node is not in the plain layout: then only the oneDNN
// kernel may run it (the reference kernel reads plain bytes).
bool has_layout_tags(const KernelBuildInfo& info);
// Descriptor with explicit strides (transposed operands).
dnnl::memory::desc strided_md(const Shape& s, const Shape& strides, dt type = dt::f32);

// Node post-ops mapped onto oneDNN; `addends` lists (post-op index, node input index) for the
// binary adds, whose operand has the output's (plain) shape.
struct MappedPostOps {
  dnnl::post_ops ops;
  std::vector<std::pair<int, int>> addends;
};
// Fails (unsupported) for post-ops oneDNN cannot express with the reference's semantics.
// `first_add`, when given, is a binary add placed before the node's post-ops (Gemm's C).
// With `add_as_sum`, a (single) fused Add becomes a sum post-op: the caller must place the
// addend in the destination buffer, in the destination's layout, before executing.
Result<MappedPostOps> map_post_ops(const std::vector<PostOp>& post, const dnnl::memory::desc& addend_md,
                                   const dnnl::memory::desc* first_add = nullptr, bool add_as_sum = false);
// Checks the addend inputs of the node's post-ops have the output's shape and float type.
bool addends_match(const KernelContext& ctx, const Shape& out_shape);

// True for oneDNN's naive reference implementations ("ref:any"), which are far slower than
// our own reference kernels would be; callers try another formulation instead.
bool is_reference_impl(const dnnl::primitive_desc_base& pd);

// The kernel's primitive attributes: user scratchpad (so runs can proceed concurrently).
dnnl::primitive_attr base_attr();

// Runs `fn`, turning oneDNN/standard exceptions into a Status (never escapes a kernel).
template <typename Fn>
Status guarded(const std::string& what, Fn&& fn) {
  try {
    return fn();
  } catch (const dnnl::error& e) {
    return unsupported(what + ": oneDNN: " + e.what());
  } catch (const std::bad_alloc&) {
    return resource_exhausted(what + ": out of memory");
  } catch (const std::exception& e) {
    return internal_error(what + ": " + e.what());
  }
}

// The reference kernel for the same node, used when a run meets a case (dtype, shape) the
// oneDNN kernel does not handle. Null when no reference kernel exists.
std::unique_ptr<Kernel> reference_fallback(const KernelBuildInfo& info);

// A memory operand in the user's plain layout that the primitive may want in another layout.
struct Operand {
  dnnl::memory::desc user, prim;
  dnnl::reorder::primitive_desc to_pd, from_pd;  // set when the layouts differ
  dnnl::reorder to_prim, from_prim;
  bool needs_reorder() const { return user != prim; }
  void init(const dnnl::memory::desc& u, const dnnl::memory::desc& p, bool input);
  // Memory the primitive reads: the user's bytes, or a reordered copy in `slot`.
  dnnl::memory prepare_input(const void* data, BufferSlot slot, dnnl::stream& s) const;
  // Reorders user-layout bytes into `target` (in the primitive's layout); needs_reorder().
  void reorder_into(const void* data, const dnnl::memory& target, dnnl::stream& s) const;
  // Memory the primitive writes; call finish_output afterwards.
  dnnl::memory output_memory(void* data, BufferSlot slot) const;
  void finish_output(const dnnl::memory& m, void* data, dnnl::stream& s) const;
};

// Constant weights reordered once into the primitive's layout, shared by cached entries.
struct PackedWeights {
  dnnl::memory::desc md;
  std::shared_ptr<void> bytes;
  dnnl::memory memory() const { return dnnl::memory(md, cpu_engine(), bytes.get()); }
};
PackedWeights pack_weights(const dnnl::memory::desc& user, const void* data, const dnnl::memory::desc& prim);

// Timing one convolution implementation at kernel build (picking the fastest of several):
// zero-filled operands of the primitive's layouts (source, destination, scratchpad, bias when
// `bias`) beside the packed `weights`, and the best seconds per run over a few batches of at
// least ~0.1 ms each, so that small convolutions are not timed at the clock's resolution.
dnnl::memory zeroed_memory(const dnnl::memory::desc& md);
std::unordered_map<int, dnnl::memory> zeroed_conv_args(const dnnl::convolution_forward::primitive_desc& pd,
                                                       const dnnl::memory& weights, bool bias);
double best_seconds_per_run(const dnnl::primitive& prim, const std::unordered_map<int, dnnl::memory>& args);

// Executes a primitive with its scratchpad taken from the calling thread's buffer.
void execute(const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
             std::unordered_map<int, dnnl::memory> args, dnnl::stream& s);

// Runs a one-input primitive (pooling, eltwise, shuffle, resampling) that writes in its source's
// layout: input 0 as DNNL_ARG_SRC, output 0 of `out_shape` through `dst` (reordered into the
// output's own layout when it differs).
// With `src`, input 0 is first reordered into the primitive's layout when that differs.
Status execute_unary(KernelContext& ctx, const dnnl::primitive& p, const dnnl::primitive_desc_base& pd,
                     const dnnl::memory::desc& src_md, const Operand& dst, const Shape& out_shape,
                     const Operand* src = nullptr);

// Primitive state per input-shape signature. `get` builds missing entries under the lock.
template <typename T>
class ShapeCache {
 public:
  using Ptr = std::shared_ptr<const T>;
  static std::vector<int64_t> key_of(const std::vector<const Shape*>& shapes) {
    std::vector<int64_t> k;
    for (const Shape* s : shapes) {
      k.push_back(s ? static_cast<int64_t>(s->size()) : -1);
      if (s) k.insert(k.end(), s->begin(), s->end());
    }
    return k;
  }
  template <typename Build>
  Result<Ptr> get(const std::vector<int64_t>& key, Build&& build) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
    auto built = build();
    if (!built.is_ok()) return built.status();
    if (entries_.size() >= 64) entries_.clear();  // unbounded shape streams: keep memory bounded
    Ptr p = std::move(built).value();
    entries_.emplace(key, p);
    return p;
  }

 private:
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, Ptr> entries_;
};

// Spatial geometry shared by Conv and the pools: ONNX pads/auto_pad -> oneDNN pads and sizes.
struct Window {
  std::vector<int64_t> kernel, strides, dilations /* ONNX: 1 = dense */, pad_l, pad_r, out;
};
// `pads_attr` is ONNX `pads` (begins then ends, or empty). Returns invalid_argument when the
// window does not fit. With ceil_mode the right padding grows to cover the last window.
Result<Window> conv_window(const Shape& in_spatial, const std::vector<int64_t>& kernel,
                           const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                           const std::vector<int64_t>& pads_attr, const std::string& auto_pad,
                           bool ceil_mode, const std::string& op);
dnnl::memory::dims dnnl_dilations(const std::vector<int64_t>& onnx_dilations);  // d - 1

}  // namespace fogline::engine::ops::dnnl_ops
