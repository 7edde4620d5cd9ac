#include "engine/ops/rnn/rnn_common.h"

#include <algorithm>
#include <cctype>

namespace fogline::engine::ops::rnn {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

Result<RnnAttrs> parse_rnn_attrs(const Attributes& a, const std::vector<std::string>& defaults, const char* op) {
  RnnAttrs at;
  const std::string name(op);
  const std::string dir = a.get_string("direction", "forward");
  if (dir == "forward") {
    at.num_directions = 1;
  } else if (dir == "reverse") {
    at.num_directions = 1;
    at.reverse = true;
  } else if (dir == "bidirectional") {
    at.num_directions = 2;
  } else {
    return invalid_argument(name + " direction must be forward, reverse or bidirectional, got '" + dir + "'");
  }
  at.hidden = a.get_int("hidden_size", 0);
  at.clip = a.has("clip") ? a.get_float("clip", 0) : 0;
  if (a.has("clip") && !(at.clip > 0)) return invalid_argument(name + " clip must be positive");
  at.layout = static_cast<int>(a.get_int("layout", 0));
  if (at.layout != 0 && at.layout != 1) return invalid_argument(name + " layout must be 0 or 1");
  std::vector<std::string> names = a.get_strings("activations");
  const size_t per = defaults.size();
  if (names.empty()) {
    for (int d = 0; d < at.num_directions; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
  } else if (names.size() == per && at.num_directions == 2) {
    std::vector<std::string> twice = names;
    names.insert(names.end(), twice.begin(), twice.end());
  }
  if (names.size() != per * static_cast<size_t>(at.num_directions)) {
    return invalid_argument(name + " needs " + std::to_string(per * static_cast<size_t>(at.num_directions)) +
                            " activations, got " + std::to_string(names.size()));
  }
  const std::vector<float> alphas = a.get_floats("activation_alpha"), betas = a.get_floats("activation_beta");
  size_t ai = 0, bi = 0;
  for (const std::string& n : names) {
    const std::string l = lower(n);
    Activation act;
    bool uses_alpha = false, uses_beta = false;
    if (l == "relu") act.kind = Activation::Kind::kRelu;
    else if (l == "tanh") act.kind = Activation::Kind::kTanh;
    else if (l == "sigmoid") act.kind = Activation::Kind::kSigmoid;
    else if (l == "affine") act.kind = Activation::Kind::kAffine, act.alpha = 1, act.beta = 0, uses_alpha = uses_beta = true;
    else if (l == "leakyrelu") act.kind = Activation::Kind::kLeakyRelu, act.alpha = 0.01f, uses_alpha = true;
    else if (l == "thresholdedrelu") act.kind = Activation::Kind::kThresholdedRelu, act.alpha = 1, uses_alpha = true;
    else if (l == "scaledtanh") act.kind = Activation::Kind::kScaledTanh, act.alpha = 1, act.beta = 1, uses_alpha = uses_beta = true;
    else if (l == "hardsigmoid") act.kind = Activation::Kind::kHardSigmoid, act.alpha = 0.2f, act.beta = 0.5f, uses_alpha = uses_beta = true;
    else if (l == "elu") act.kind = Activation::Kind::kElu, act.alpha = 1, uses_alpha = true;
    else if (l == "softsign") act.kind = Activation::Kind::kSoftsign;
    else if (l == "softplus") act.kind = Activation::Kind::kSoftplus;
    else return invalid_argument(name + " activation '" + n + "' is not known");
    // activation_alpha / activation_beta are consumed in order by the functions that use them.
    if (uses_alpha && ai < alphas.size()) act.alpha = alphas[ai++];
    if (uses_beta && bi < betas.size()) act.beta = betas[bi++];
    at.acts.push_back(act);
  }
  return at;
}

}  // namespace fogline::engine::ops::rnn
