// Einsum: a general (not fast) reference. Every label, including the dimensions an ellipsis
// stands for, becomes an axis of one iteration space; the output sums the product of the
// inputs over the labels it does not keep. Repeated labels within a term take diagonals.
#include <algorithm>
#include <cctype>

#include "engine/ops/elementwise.h"

namespace fogline::engine::ops {
namespace {

constexpr int kEllipsisBase = 52;  // label ids: a-z 0..25, A-Z 26..51, ellipsis dims after

struct Term {
  std::vector<int> letters_before, letters_after;  // around the ellipsis (all in `before` if none)
  bool has_ellipsis = false;
};

Result<Term> parse_term(const std::string& s, const std::string& equation) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    if (ch == '.') {
      if (t.has_ellipsis || s.compare(i, 3, "...") != 0) {
        return invalid_argument("Einsum equation \"" + equation + "\" has a malformed ellipsis");
      }
      t.has_ellipsis = true;
      i += 2;
    } else if (std::isalpha(static_cast<unsigned char>(ch))) {
      const int id = std::islower(static_cast<unsigned char>(ch)) ? ch - 'a' : 26 + (ch - 'A');
      (t.has_ellipsis ? t.letters_after : t.letters_before).push_back(id);
    } else {
      return invalid_argument("Einsum equation \"" + equation + "\" has an unexpected character '" +
                              std::string(1, ch) + "'");
    }
  }
  return t;
}

class EinsumKernel : public Kernel {
 public:
  explicit EinsumKernel(std::string equation) : equation_(std::move(equation)) {}

  Status run(KernelContext& ctx) const override {
    std::string eq;
    for (char ch : equation_) {
      if (!std::isspace(static_cast<unsigned char>(ch))) eq += ch;
    }
    const size_t arrow = eq.find("->");
    const std::string lhs = eq.substr(0, arrow);
    std::vector<std::string> term_texts;
    for (size_t start = 0;;) {
      const size_t comma = lhs.find(',', start);
      term_texts.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    const int n_in = ctx.num_inputs();
    if (static_cast<int>(term_texts.size()) != n_in) {
      return invalid_argument("Einsum equation \"" + equation_ + "\" has " + std::to_string(term_texts.size()) +
                              " input terms, but the node has " + std::to_string(n_in) + " inputs");
    }
    // Per input: the label of each of its dimensions.
    std::vector<std::vector<int>> dim_labels(static_cast<size_t>(n_in));
    int ellipsis_rank = 0;
    std::vector<Term> terms;
    for (int k = 0; k < n_in; ++k) {
      const Tensor* t = ctx.input(k);
      if (!t) return invalid_argument("Einsum input " + std::to_string(k) + " is missing");
      FOGLINE_ASSIGN_OR_RETURN(Term term, parse_term(term_texts[static_cast<size_t>(k)], equation_));
      const int letters = static_cast<int>(term.letters_before.size() + term.letters_after.size());
      if (term.has_ellipsis ? t->rank() < letters : t->rank() != letters) {
        return invalid_argument("Einsum term \"" + term_texts[static_cast<size_t>(k)] + "\" does not fit input " +
                                std::to_string(k) + " of shape " + shape_to_string(t->shape()));
      }
      if (term.has_ellipsis) ellipsis_rank = std::max(ellipsis_rank, t->rank() - letters);
      terms.push_back(std::move(term));
    }
    std::vector<int64_t> size(static_cast<size_t>(kEllipsisBase + ellipsis_rank), -1);
    std::vector<int> count(size.size(), 0);
    for (int k = 0; k < n_in; ++k) {
      const Tensor& t = *ctx.input(k);
      const Term& term = terms[static_cast<size_t>(k)];
      auto& labels = dim_labels[static_cast<size_t>(k)];
      labels = term.letters_before;
      const int e = t.rank() - static_cast<int>(term.letters_before.size() + term.letters_after.size());
      // An ellipsis covering fewer dims aligns with the rightmost ellipsis dims (broadcasting).
      for (int i = 0; i < e; ++i) labels.push_back(kEllipsisBase + ellipsis_rank - e + i);
      labels.insert(labels.end(), term.letters_after.begin(), term.letters_after.end());
      for (int i = 0; i < t.rank(); ++i) {
        const int l = labels[static_cast<size_t>(i)];
        const int64_t dsz = t.dim(i);
        count[static_cast<size_t>(l)]++;
        int64_t& s = size[static_cast<size_t>(l)];
        if (s < 0 || (l >= kEllipsisBase && s == 1)) {
          s = dsz;
        } else if (dsz != s && !(l >= kEllipsisBase && dsz == 1)) {
          return invalid_argument("Einsum label sizes disagree: dimension " + std::to_string(i) + " of input " +
                                  std::to_string(k) + " is " + std::to_string(dsz) + ", expected " + std::to_string(s));
        }
      }
    }
    // Output labels.
    std::vector<int> out_labels;
    if (arrow != std::string::npos) {
      FOGLINE_ASSIGN_OR_RETURN(Term out, parse_term(eq.substr(arrow + 2), equation_));
      out_labels = out.letters_before;
      if (out.has_ellipsis) {
        for (int i = 0; i < ellipsis_rank; ++i) out_labels.push_back(kEllipsisBase + i);
      }
      out_labels.insert(out_labels.end(), out.letters_after.begin(), out.letters_after.end());
      std::vector<int> seen;
      for (int l : out_labels) {
        if (size[static_cast<size_t>(l)] < 0) {
          return invalid_argument("Einsum output label in \"" + equation_ + "\" does not appear in any input");
        }
        if (std::find(seen.begin(), seen.end(), l) != seen.end()) {
          return invalid_argument("Einsum output in \"" + equation_ + "\" repeats a label");
        }
        seen.push_back(l);
      }
    } else {
      for (int i = 0; i < ellipsis_rank; ++i) out_labels.push_back(kEllipsisBase + i);
      for (int l = 0; l < kEllipsisBase; ++l) {
        if (count[static_cast<size_t>(l)] == 1) out_labels.push_back(l);
      }
    }
    // Iteration order: output labels, then the summed ones.
    std::vector<int> all = out_labels;
    for (int l = 0; l < static_cast<int>(size.size()); ++l) {
      if (size[static_cast<size_t>(l)] >= 0 && std::find(all.begin(), all.end(), l) == all.end()) all.push_back(l);
    }
    std::vector<int> pos(size.size(), -1);
    for (size_t i = 0; i < all.size(); ++i) pos[static_cast<size_t>(all[i])] = static_cast<int>(i);
    Shape out_shape;
    for (int l : out_labels) out_shape.push_back(size[static_cast<size_t>(l)]);
    int64_t out_n = 1, sum_n = 1;
    for (size_t i = 0; i < all.size(); ++i) (i < out_labels.size() ? out_n : sum_n) *= size[static_cast<size_t>(all[i])];
    // Stride of each iteration axis in each input (summed over repeated labels: diagonals).
    std::vector<std::vector<int64_t>> strides(static_cast<size_t>(n_in), std::vector<int64_t>(all.size(), 0));
    DataType dtype = ctx.input(0)->dtype();
    for (int k = 0; k < n_in; ++k) {
      const Tensor& t = *ctx.input(k);
      if (t.dtype() != dtype) return invalid_argument("Einsum inputs must have one type");
      int64_t st = 1;
      for (int i = t.rank() - 1; i >= 0; --i) {
        const int l = dim_labels[static_cast<size_t>(k)][static_cast<size_t>(i)];
        if (t.dim(i) != 1 || size[static_cast<size_t>(l)] == 1) {
          strides[static_cast<size_t>(k)][static_cast<size_t>(pos[static_cast<size_t>(l)])] += st;
        }
        st *= t.dim(i);
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, dtype, out_shape));
    const size_t n_axes = all.size();
    return dispatch_types<FOGLINE_NUMERIC_TYPES>(dtype, "Einsum", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      using Acc = std::conditional_t<std::is_floating_point_v<C>, double, C>;
      T* out = y->data<T>();
      std::vector<const T*> in(static_cast<size_t>(n_in));
      for (int k = 0; k < n_in; ++k) in[static_cast<size_t>(k)] = ctx.input(k)->data<T>();
      const size_t n_out_axes = out_labels.size();
#pragma omp parallel if (out_n * sum_n > 65536) num_threads(ctx.threads())
      {
        std::vector<int64_t> idx(n_axes, 0), off(static_cast<size_t>(n_in), 0);
#pragma omp for
        for (int64_t o = 0; o < out_n; ++o) {
          // Offsets of this output element's position; the summed axes start at 0.
          std::fill(off.begin(), off.end(), 0);
          int64_t rem = o;
          for (size_t a = n_out_axes; a-- > 0;) {
            const int64_t dim = size[static_cast<size_t>(all[a])];
            const int64_t i = rem % dim;
            rem /= dim;
            for (int k = 0; k < n_in; ++k) off[static_cast<size_t>(k)] += strides[static_cast<size_t>(k)][a] * i;
          }
          Acc acc = 0;
          for (int64_t s = 0; s < sum_n; ++s) {
            Acc prod = 1;
            for (int k = 0; k < n_in; ++k) {
              prod *= static_cast<Acc>(static_cast<C>(in[static_cast<size_t>(k)][off[static_cast<size_t>(k)]]));
            }
            acc += prod;
            // Advance the odometer over the summed axes (last fastest).
            for (size_t a = n_axes; a-- > n_out_axes;) {
              const int64_t dim = size[static_cast<size_t>(all[a])];
              idx[a]++;
              for (int k = 0; k < n_in; ++k) off[static_cast<size_t>(k)] += strides[static_cast<size_t>(k)][a];
              if (idx[a] < dim) break;
              for (int k = 0; k < n_in; ++k) off[static_cast<size_t>(k)] -= strides[static_cast<size_t>(k)][a] * dim;
              idx[a] = 0;
            }
          }
          out[o] = T(static_cast<C>(acc));
        }
      }
      return Status::ok();
    });
  }

 private:
  std::string equation_;
};

Result<std::unique_ptr<Kernel>> make_einsum(const KernelBuildInfo& info) {
  if (!info.attrs().has("equation")) return invalid_argument("Einsum needs an 'equation' attribute");
  return std::unique_ptr<Kernel>(new EinsumKernel(info.attrs().get_string("equation", "")));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Einsum", 12, 1000, Backend::kReference, make_einsum);

}  // namespace fogline::engine::ops
