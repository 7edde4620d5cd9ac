// Det: determinant of each trailing [M, M] matrix, by LU decomposition with partial pivoting
// in double precision.
#include <cmath>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

double determinant(std::vector<double>& a, int64_t m) {
  double det = 1.0;
  for (int64_t c = 0; c < m; ++c) {
    int64_t pivot = c;
    for (int64_t r = c + 1; r < m; ++r) {
      if (std::fabs(a[static_cast<size_t>(r * m + c)]) > std::fabs(a[static_cast<size_t>(pivot * m + c)])) pivot = r;
    }
    const double p = a[static_cast<size_t>(pivot * m + c)];
    if (p == 0.0) return 0.0;
    if (pivot != c) {
      for (int64_t k = 0; k < m; ++k) std::swap(a[static_cast<size_t>(pivot * m + k)], a[static_cast<size_t>(c * m + k)]);
      det = -det;
    }
    det *= p;
    for (int64_t r = c + 1; r < m; ++r) {
      const double f = a[static_cast<size_t>(r * m + c)] / p;
      if (f == 0.0) continue;
      for (int64_t k = c; k < m; ++k) a[static_cast<size_t>(r * m + k)] -= f * a[static_cast<size_t>(c * m + k)];
    }
  }
  return det;
}

class DetKernel : public Kernel {
 public:
  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const int r = x.rank();
    if (r < 2 || x.dim(r - 1) != x.dim(r - 2)) {
      return invalid_argument("Det input must be [..., M, M], got " + shape_to_string(x.shape()));
    }
    const int64_t m = x.dim(r - 1);
    Shape out_shape(x.shape().begin(), x.shape().end() - 2);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    const int64_t count = numel(out_shape);
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "Det", [&]<typename T>() -> Status {
      const T* src = x.data<T>();
      T* dst = y->data<T>();
#pragma omp parallel for num_threads(ctx.threads()) if (count * m * m * m > 100000)
      for (int64_t b = 0; b < count; ++b) {
        std::vector<double> a(static_cast<size_t>(m * m));
        for (int64_t i = 0; i < m * m; ++i) a[static_cast<size_t>(i)] = static_cast<double>(static_cast<compute_t<T>>(src[b * m * m + i]));
        dst[b] = static_cast<T>(static_cast<compute_t<T>>(determinant(a, m)));
      }
      return Status::ok();
    });
  }
};

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Det", 11, 1000, Backend::kReference, FOGLINE_SIMPLE_FACTORY(DetKernel));

}  // namespace fogline::engine::ops
