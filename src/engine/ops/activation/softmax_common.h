// Softmax, LogSoftmax and Hardmax share their layout rule: before opset 13 the input is
// flattened to 2-D [prod(dims[:axis]), prod(dims[axis:])] (axis default 1) and the op runs
// over each row; from opset 13 it runs along the single `axis` (default -1).
#pragma once

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {

// The input viewed as [outer, len, inner]; the op runs over `len` with stride `inner`.
struct RowLayout {
  int64_t outer = 1, len = 1, inner = 1;
};

inline Result<RowLayout> softmax_layout(const Shape& shape, int64_t axis_attr, bool flatten,
                                        const KernelContext& ctx) {
  const int rank = static_cast<int>(shape.size());
  RowLayout l;
  if (rank == 0) return l;  // a scalar is a single row of one
  int64_t axis = axis_attr < 0 ? axis_attr + rank : axis_attr;
  // Flattening allows axis == rank (everything goes in the outer part).
  if (axis < 0 || axis > rank || (!flatten && axis == rank)) {
    return invalid_argument("axis " + std::to_string(axis_attr) + " is out of range for an input of rank " +
                            std::to_string(rank));
  }
  for (int i = 0; i < rank; ++i) {
    if (i < axis) {
      l.outer *= shape[static_cast<size_t>(i)];
    } else if (flatten || i == axis) {
      l.len *= shape[static_cast<size_t>(i)];
    } else {
      l.inner *= shape[static_cast<size_t>(i)];
    }
  }
  return l;
}

// Runs `row(in, out, len, stride)` (in compute type C buffers) for every row of x into y.
// `RowFn` is a functor template on C.
template <template <typename> class RowFn>
class SoftmaxFamilyKernel : public Kernel {
 public:
  SoftmaxFamilyKernel(int64_t axis, bool flatten, const char* op) : axis_(axis), flatten_(flatten), op_(op) {}
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    FOGLINE_ASSIGN_OR_RETURN(RowLayout l, softmax_layout(x.shape(), axis_, flatten_, ctx));
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    if (x.numel() == 0) return Status::ok();
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), op_, [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const int64_t rows = l.outer * l.inner;
      // Each row is gathered into a per-thread buffer (rows may be strided when inner > 1).
#pragma omp parallel if (rows * l.len > 16384) num_threads(ctx.threads())
      {
        std::vector<C> buf(static_cast<size_t>(l.len));
#pragma omp for
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t o = r / l.inner, i = r % l.inner;
          const int64_t base = o * l.len * l.inner + i;
          for (int64_t k = 0; k < l.len; ++k) buf[static_cast<size_t>(k)] = static_cast<C>(in[base + k * l.inner]);
          RowFn<C>{}(buf.data(), l.len);
          for (int64_t k = 0; k < l.len; ++k) out[base + k * l.inner] = T(buf[static_cast<size_t>(k)]);
        }
      }
      return Status::ok();
    });
  }

 private:
  int64_t axis_;
  bool flatten_;
  const char* op_;
};

template <template <typename> class RowFn>
Result<std::unique_ptr<Kernel>> make_softmax_family(const KernelBuildInfo& info, const char* op) {
  const bool flatten = info.opset() < 13;
  const int64_t axis = info.attrs().get_int("axis", flatten ? 1 : -1);
  return std::unique_ptr<Kernel>(new SoftmaxFamilyKernel<RowFn>(axis, flatten, op));
}

}  // namespace fogline::engine::ops
