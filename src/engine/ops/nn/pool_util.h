// The window walk shared by MaxPool, AveragePool and LpPool: for each output position, the
// input positions its window covers (padding skipped), per spatial dim, so a pool is a fold
// over the Cartesian product of those lists.
#pragma once

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {

struct PoolPlan {
  std::vector<int64_t> in, out;
  // taps[d][o]: input indices along dim d that output index o reads.
  std::vector<std::vector<std::vector<int64_t>>> taps;
  // padded[d][o]: window positions inside the padded extent [-pad_begin, in + pad_end).
  std::vector<std::vector<int64_t>> padded;
  int64_t in_size = 1, out_size = 1;

  PoolPlan(const std::vector<int64_t>& in_dims, const std::vector<int64_t>& out_dims, const Window& w)
      : in(in_dims), out(out_dims) {
    const size_t n = in.size();
    taps.resize(n);
    padded.resize(n);
    for (size_t d = 0; d < n; ++d) {
      in_size *= in[d];
      out_size *= out[d];
      taps[d].resize(static_cast<size_t>(out[d]));
      padded[d].resize(static_cast<size_t>(out[d]));
      for (int64_t o = 0; o < out[d]; ++o) {
        int64_t count = 0;
        for (int64_t k = 0; k < w.kernel[d]; ++k) {
          const int64_t p = o * w.strides[d] - w.pads[d] + k * w.dilations[d];
          if (p >= 0 && p < in[d]) taps[d][static_cast<size_t>(o)].push_back(p);
          if (p < in[d] + w.pads[d + n]) ++count;
        }
        padded[d][static_cast<size_t>(o)] = count;
      }
    }
  }

  // Calls fn(offset_in_plane, spatial_index_vector) for every input position of output `o`.
  // Returns the number of positions visited.
  template <typename Fn>
  int64_t for_each_tap(int64_t o, Fn&& fn) const {
    const size_t n = in.size();
    int64_t oi[8];
    for (size_t d = n; d-- > 0;) {
      oi[d] = o % out[d];
      o /= out[d];
    }
    const std::vector<int64_t>* lists[8];
    int64_t total = 1;
    for (size_t d = 0; d < n; ++d) {
      lists[d] = &taps[d][static_cast<size_t>(oi[d])];
      total *= static_cast<int64_t>(lists[d]->size());
    }
    if (total == 0) return 0;
    int64_t pos[8] = {0};
    int64_t idx[8];
    for (;;) {
      int64_t off = 0;
      for (size_t d = 0; d < n; ++d) {
        idx[d] = (*lists[d])[static_cast<size_t>(pos[d])];
        off = off * in[d] + idx[d];
      }
      fn(off, idx);
      size_t d = n;
      while (d-- > 0) {
        if (++pos[d] < static_cast<int64_t>(lists[d]->size())) break;
        pos[d] = 0;
      }
      if (d == static_cast<size_t>(-1)) break;
    }
    return total;
  }

  int64_t padded_count(int64_t o) const {
    int64_t c = 1;
    for (size_t d = in.size(); d-- > 0;) {
      c *= padded[d][static_cast<size_t>(o % out[d])];
      o /= out[d];
    }
    return c;
  }
};

// Validates X and the window of a pool and returns the output shape; `plan` gets the walk.
inline Result<Shape> pool_output_shape(const Tensor& x, Window& w, const char* op,
                                       std::vector<int64_t>* in_dims, std::vector<int64_t>* out_dims) {
  if (x.rank() < 3 || x.rank() > 10) {
    return invalid_argument(std::string(op) + " expects X of rank 3 to 10 (N, C, spatial...), got " +
                            shape_to_string(x.shape()));
  }
  in_dims->assign(x.shape().begin() + 2, x.shape().end());
  FOGLINE_ASSIGN_OR_RETURN(*out_dims, resolve_window(w, *in_dims, op));
  Shape y = {x.dim(0), x.dim(1)};
  y.insert(y.end(), out_dims->begin(), out_dims->end());
  return y;
}

}  // namespace fogline::engine::ops::nn
