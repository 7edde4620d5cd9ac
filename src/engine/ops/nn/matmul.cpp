// MatMul (opset 1+): numpy matmul — 1-D operands get a unit dim that is dropped again, batch
// dims broadcast — as one GEMM per output batch, then the optional bias over the last
// dimension (input 2, added by the matmul-add-to-gemm pass; not part of ONNX's MatMul), then
// any fused post-ops.
#include "engine/ops/nn/nn_util.h"
#include "engine/ops/post_ops.h"

namespace fogline::engine::ops::nn {
namespace {

class MatMulKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& a = *ctx.input(0);
    const Tensor* bp = ctx.input(1);
    if (!bp) return invalid_argument("MatMul needs two inputs");
    const Tensor& b = *bp;
    if (a.dtype() != b.dtype()) {
      return invalid_argument(std::string("MatMul inputs must have one type, got ") + dtype_name(a.dtype()) +
                              " and " + dtype_name(b.dtype()));
    }
    if (a.rank() < 1 || b.rank() < 1) {
      return invalid_argument("MatMul inputs must have rank >= 1, got " + shape_to_string(a.shape()) + " and " +
                              shape_to_string(b.shape()));
    }
    Shape as = a.shape(), bs = b.shape();
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
    if (bs[bs.size() - 2] != K) {
      return invalid_argument("MatMul inner dimensions differ: " + shape_to_string(a.shape()) + " x " +
                              shape_to_string(b.shape()));
    }
    Shape abatch(as.begin(), as.end() - 2), bbatch(bs.begin(), bs.end() - 2);
    FOGLINE_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(abatch, bbatch));
    Shape yshape = batch;
    if (a.rank() > 1) yshape.push_back(M);
    if (b.rank() > 1) yshape.push_back(N);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, a.dtype(), yshape));
    const std::vector<int64_t> sa = broadcast_strides(abatch, batch), sb = broadcast_strides(bbatch, batch);
    const int64_t nbatch = numel(batch);
    Status st = dispatch_types<FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t>(
        a.dtype(), "MatMul", [&]<typename T>() -> Status {
          using C = compute_t<T>;
          std::vector<C> abuf, bbuf, ybuf;
          const C* pa = compute_data<T>(a, abuf);
          const C* pb = compute_data<T>(b, bbuf);
          C* py = compute_output<T>(*y, ybuf);
          std::vector<int64_t> idx(batch.size(), 0);
          for (int64_t i = 0; i < nbatch; ++i) {
            int64_t oa = 0, ob = 0;
            for (size_t d = 0; d < batch.size(); ++d) {
              oa += idx[d] * sa[d];
              ob += idx[d] * sb[d];
            }
            gemm<C>(false, false, M, N, K, C(1), pa + oa * M * K, K, pb + ob * K * N, N, C(0), py + i * M * N, N,
                    ctx.threads());
            next_index(idx, batch);
          }
          if (K == 0) std::fill(py, py + nbatch * M * N, C(0));
          if (const Tensor* bias = ctx.input(2)) {
            if (bias->dtype() != a.dtype() || bias->numel() != N)
              return invalid_argument("MatMul bias must have " + std::to_string(N) + " values of the input type, got " +
                                      shape_to_string(bias->shape()));
            std::vector<C> biasbuf;
            const C* pbias = compute_data<T>(*bias, biasbuf);
            for (int64_t r = 0; r < nbatch * M; ++r)
              for (int64_t j = 0; j < N; ++j) py[r * N + j] += pbias[j];
          }
          store_output<T>(*y, ybuf);
          return Status::ok();
        });
    if (!st.is_ok()) return st;
    return apply_post_ops(ctx, *y);
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "MatMul", 1, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(MatMulKernel));

}  // namespace fogline::engine::ops::nn
