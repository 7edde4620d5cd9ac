// StringNormalizer (opset 10): drops stopwords from a [C] or [1, C] string tensor and changes
// case (LOWER / UPPER / NONE). If everything is dropped the output is one empty string.
// Case mapping is ASCII only (the `locale` attribute is accepted and not used).
#include <algorithm>
#include <cctype>
#include <set>

#include "engine/ops/op_util.h"

namespace fogline::engine::ops {
namespace {

enum class CaseChange { kNone, kLower, kUpper };

std::string change_case(std::string s, CaseChange c) {
  if (c == CaseChange::kLower) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  } else if (c == CaseChange::kUpper) {
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return s;
}

class StringNormalizerKernel : public Kernel {
 public:
  StringNormalizerKernel(CaseChange action, bool case_sensitive, std::set<std::string> stops)
      : action_(action), case_sensitive_(case_sensitive), stops_(std::move(stops)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* x = ctx.input(0);
    if (!x) return invalid_argument("StringNormalizer needs input X");
    if (x->dtype() != DataType::kString) {
      return invalid_argument(std::string("StringNormalizer input must be string, got ") + dtype_name(x->dtype()));
    }
    if (!(x->rank() == 1 || (x->rank() == 2 && x->dim(0) == 1))) {
      return invalid_argument("StringNormalizer input must be [C] or [1, C], got " + shape_to_string(x->shape()));
    }
    std::vector<std::string> kept;
    const std::string* in = x->data<std::string>();
    for (int64_t i = 0; i < x->numel(); ++i) {
      const std::string key = case_sensitive_ ? in[i] : change_case(in[i], CaseChange::kLower);
      if (stops_.count(key)) continue;
      kept.push_back(change_case(in[i], action_));
    }
    if (kept.empty()) kept.emplace_back();
    Shape shape = x->rank() == 1 ? Shape{static_cast<int64_t>(kept.size())}
                                 : Shape{1, static_cast<int64_t>(kept.size())};
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kString, shape));
    for (size_t i = 0; i < kept.size(); ++i) y->data<std::string>()[i] = std::move(kept[i]);
    return Status::ok();
  }

 private:
  CaseChange action_;
  bool case_sensitive_;
  std::set<std::string> stops_;  // lower-cased when matching is case-insensitive
};

Result<std::unique_ptr<Kernel>> make_string_normalizer(const KernelBuildInfo& info) {
  const std::string a = info.attrs().get_string("case_change_action", "NONE");
  CaseChange action;
  if (a == "NONE") {
    action = CaseChange::kNone;
  } else if (a == "LOWER") {
    action = CaseChange::kLower;
  } else if (a == "UPPER") {
    action = CaseChange::kUpper;
  } else {
    return invalid_argument("StringNormalizer case_change_action must be LOWER, UPPER or NONE, got '" + a + "'");
  }
  const bool sensitive = info.attrs().get_int("is_case_sensitive", 0) != 0;
  std::set<std::string> stops;
  for (const auto& w : info.attrs().get_strings("stopwords")) {
    stops.insert(sensitive ? w : change_case(w, CaseChange::kLower));
  }
  return std::unique_ptr<Kernel>(new StringNormalizerKernel(action, sensitive, std::move(stops)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "StringNormalizer", 10, 1000, Backend::kReference, make_string_normalizer);

}  // namespace fogline::engine::ops
