// Unique: the distinct elements (or, with `axis`, distinct slices along it) of X, sorted
// ascending (sorted=1) or in order of first occurrence; plus int64 outputs: the first
// occurrence of each (indices), each input position's entry in Y (inverse_indices), counts.
#include <algorithm>
#include <numeric>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class UniqueKernel : public Kernel {
 public:
  UniqueKernel(std::optional<int64_t> axis, bool sorted) : axis_(axis), sorted_(sorted) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(input, ctx, 0);
    Tensor x = axis_ ? input : input.reshaped({input.numel()});
    if (axis_ && x.rank() == 0) return invalid_argument("Unique with an axis needs rank >= 1");
    int axis = 0;
    if (axis_) {
      FOGLINE_ASSIGN_OR_RETURN(axis, normalize_axis(*axis_, x.rank(), ctx));
    }
    const int64_t m = x.dim(axis);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; ++d) outer *= x.dim(d);
    for (int d = axis + 1; d < x.rank(); ++d) inner *= x.dim(d);
    return dispatch_types<FOGLINE_ALL_TYPES, std::string>(x.dtype(), "Unique", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* in = x.data<T>();
      // Slice j is the elements (o, j, i) for all o, i; compared lexicographically.
      auto compare = [&](int64_t a, int64_t b) -> int {
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t i = 0; i < inner; ++i) {
            const C va = static_cast<C>(in[(o * m + a) * inner + i]);
            const C vb = static_cast<C>(in[(o * m + b) * inner + i]);
            if constexpr (!std::is_same_v<C, std::string>) {
              // NaNs sort last and equal to each other, keeping the order strict and weak.
              const bool na = va != va, nb = vb != vb;
              if (na || nb) {
                if (na != nb) return na ? 1 : -1;
                continue;
              }
            }
            if (va < vb) return -1;
            if (vb < va) return 1;
          }
        }
        return 0;
      };
      std::vector<int64_t> order(static_cast<size_t>(m));
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return compare(a, b) < 0; });
      // Groups of equal slices; stable sorting puts each group's first occurrence first.
      std::vector<int64_t> first, count;
      std::vector<int64_t> group_of(static_cast<size_t>(m));
      for (size_t p = 0; p < order.size(); ++p) {
        if (p == 0 || compare(order[p - 1], order[p]) != 0) {
          first.push_back(order[p]);
          count.push_back(0);
        }
        count.back()++;
        group_of[static_cast<size_t>(order[p])] = static_cast<int64_t>(first.size()) - 1;
      }
      const int64_t u = static_cast<int64_t>(first.size());
      // Output position of each group.
      std::vector<int64_t> rank_of(static_cast<size_t>(u));
      std::iota(rank_of.begin(), rank_of.end(), 0);
      if (!sorted_) {
        std::vector<int64_t> by_first(static_cast<size_t>(u));
        std::iota(by_first.begin(), by_first.end(), 0);
        std::sort(by_first.begin(), by_first.end(), [&](int64_t a, int64_t b) {
          return first[static_cast<size_t>(a)] < first[static_cast<size_t>(b)];
        });
        for (int64_t r = 0; r < u; ++r) rank_of[static_cast<size_t>(by_first[static_cast<size_t>(r)])] = r;
      }
      Shape y_shape = x.shape();
      y_shape[static_cast<size_t>(axis)] = u;
      FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), y_shape));
      FOGLINE_ASSIGN_OR_RETURN(Tensor * indices, ctx.allocate_output(1, DataType::kInt64, {u}));
      FOGLINE_ASSIGN_OR_RETURN(Tensor * inverse, ctx.allocate_output(2, DataType::kInt64, {m}));
      FOGLINE_ASSIGN_OR_RETURN(Tensor * counts, ctx.allocate_output(3, DataType::kInt64, {u}));
      T* out = y->data<T>();
      for (int64_t g = 0; g < u; ++g) {
        const int64_t r = rank_of[static_cast<size_t>(g)];
        const int64_t src = first[static_cast<size_t>(g)];
        for (int64_t o = 0; o < outer; ++o) {
          copy_elements(in + (o * m + src) * inner, out + (o * u + r) * inner, inner);
        }
        indices->data<int64_t>()[r] = src;
        counts->data<int64_t>()[r] = count[static_cast<size_t>(g)];
      }
      for (int64_t j = 0; j < m; ++j) {
        inverse->data<int64_t>()[j] = rank_of[static_cast<size_t>(group_of[static_cast<size_t>(j)])];
      }
      return Status::ok();
    });
  }

 private:
  std::optional<int64_t> axis_;
  bool sorted_;
};

Result<std::unique_ptr<Kernel>> make_unique(const KernelBuildInfo& info) {
  std::optional<int64_t> axis;
  if (info.attrs().has("axis")) axis = info.attrs().get_int("axis", 0);
  return std::unique_ptr<Kernel>(new UniqueKernel(axis, info.attrs().get_int("sorted", 1) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Unique", 11, 1000, Backend::kReference, make_unique);

}  // namespace fogline::engine::ops
