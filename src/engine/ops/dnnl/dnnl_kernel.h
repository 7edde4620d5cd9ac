// Base of the oneDNN kernels: finds (or builds and caches) the primitive state for the run's
// input shapes, and hands the run to the reference kernel for cases it does not handle.
#pragma once

#include <omp.h>

#include "engine/ops/dnnl/dnnl_util.h"

namespace fogline::engine::ops::dnnl_ops {

template <typename Prim>
class DnnlKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const final {
    if (!handles(ctx)) return fall_back(ctx, "input types");
    std::vector<Shape> shapes = key_shapes(ctx);
    std::vector<const Shape*> ptrs;
    for (const Shape& s : shapes) ptrs.push_back(&s);
    auto key = ShapeCache<Prim>::key_of(ptrs);
    // oneDNN fixes a primitive's work split for the thread count it was created under; run
    // with another count it can be many times slower, so the count is part of the key.
    key.push_back(omp_get_max_threads());
    std::shared_ptr<const Prim> prim;
    if (static_prim_ && key == static_key_) {
      prim = static_prim_;
    } else {
      auto got = cache_.get(key, [&]() -> Result<std::shared_ptr<const Prim>> { return build_guarded(shapes); });
      if (!got.is_ok()) {
        if (got.status().code() == StatusCode::kUnsupported) return fall_back(ctx, got.status().message());
        return got.status();
      }
      prim = std::move(got).value();
    }
    if (!ready(ctx, *prim)) return fall_back(ctx, "operands");
    return guarded(ctx.node().describe(), [&]() { return execute(ctx, *prim); });
  }

 protected:
  // Builds the state for statically known shapes at load time (empty `shapes`: nothing known).
  Status prebuild(const KernelBuildInfo& info, std::vector<Shape> shapes) {
    fallback_ = reference_fallback(info);
    tagged_ = has_layout_tags(info);
    if (shapes.empty()) return Status::ok();
    std::vector<const Shape*> ptrs;
    for (const Shape& s : shapes) ptrs.push_back(&s);
    auto built = build_guarded(shapes);
    if (!built.is_ok()) {
      // A tagged node must run here: another kernel would misread the layout.
      if (tagged_) return internal_error(info.node().describe() + ": onednn-layout tagged a node oneDNN cannot run: " +
                                         built.status().message());
      return unsupported(built.status().message());
    }
    static_key_ = ShapeCache<Prim>::key_of(ptrs);
    static_key_.push_back(omp_get_max_threads());
    static_prim_ = std::move(built).value();
    return Status::ok();
  }

  // Run-time check that this kernel can take the inputs (dtypes); else the reference runs.
  virtual bool handles(const KernelContext& ctx) const = 0;
  // The shapes the primitive depends on (the cache key, and what `build` receives).
  virtual std::vector<Shape> key_shapes(const KernelContext& ctx) const = 0;
  virtual Result<std::shared_ptr<const Prim>> build(const std::vector<Shape>& shapes) const = 0;
  // Last check before running with a built primitive (e.g. fused operands' shapes).
  virtual bool ready(const KernelContext& ctx, const Prim& prim) const { return true; }
  virtual Status execute(KernelContext& ctx, const Prim& prim) const = 0;

 private:
  Result<std::shared_ptr<const Prim>> build_guarded(const std::vector<Shape>& shapes) const {
    std::shared_ptr<const Prim> out;
    Status st = guarded("building the oneDNN primitive", [&]() -> Status {
      FOGLINE_ASSIGN_OR_RETURN(out, build(shapes));
      return Status::ok();
    });
    if (!st.is_ok()) return st;
    return out;
  }
  Status fall_back(KernelContext& ctx, const std::string& why) const {
    // An empty tensor has no bytes to misread, so layout tags do not matter then (a symbolic
    // batch that is 0 at run time, in a region onednn-layout tagged).
    if (tagged_ && fallback_ && has_empty_input(ctx)) return fallback_->run(ctx);
    if (tagged_) {
      return internal_error(ctx.node().describe() + ": operands in a oneDNN layout that the oneDNN kernel cannot take (" +
                            why + "); disable the onednn-layout pass");
    }
    if (fallback_) return fallback_->run(ctx);
    return unsupported(ctx.node().describe() + ": the oneDNN kernel does not handle these " + why +
                       " and there is no reference kernel");
  }

  static bool has_empty_input(const KernelContext& ctx) {
    for (int i = 0; i < ctx.num_inputs(); ++i) {
      if (ctx.input(i) && ctx.input(i)->numel() == 0) return true;
    }
    return false;
  }

  std::unique_ptr<Kernel> fallback_;
  bool tagged_ = false;
  ShapeCache<Prim> cache_;
  std::vector<int64_t> static_key_;
  std::shared_ptr<const Prim> static_prim_;
};

inline bool is_float(const Tensor* t) { return t && t->dtype() == DataType::kFloat; }

}  // namespace fogline::engine::ops::dnnl_ops
