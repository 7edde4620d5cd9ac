#include "node/agent/variant_choice.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/file_util.h"
#include "engine/session.h"

namespace fogline::node::agent {
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

constexpr const char* kVariantPrefix = "variant_";

// What model.onnx is called in the choice: the key `fogline optimize` recorded for it in the
// version's metadata (hyper-parameters.optimize.chosen_variant), else "model".
std::string default_variant_name(const std::string& version_dir) {
  auto text = read_file(version_dir + "/metadata.json", 1 << 22);
  if (!text.is_ok()) return "model";
  const Json meta = Json::parse(*text, nullptr, false);
  const Json::json_pointer key("/hyperparameters/optimize/chosen_variant");
  if (meta.is_object() && meta.contains(key) && meta[key].is_string()) return meta[key].get<std::string>();
  return "model";
}

// Zero-filled inputs of the declared types; symbolic dimensions are 1.
Result<std::vector<engine::Tensor>> zero_inputs(const engine::Session& session) {
  std::vector<engine::Tensor> feeds;
  for (const auto& spec : session.inputs()) {
    engine::Shape shape;
    for (const auto& d : spec.type.dims) shape.push_back(d.is_static() ? d.value : 1);
    auto t = engine::Tensor::allocate(spec.type.dtype, shape);
    if (!t.is_ok()) return t.status().with_context("input '" + spec.name + "'");
    if (t->nbytes() > 0) std::memset(t->raw(), 0, t->nbytes());
    feeds.push_back(std::move(t).value());
  }
  return feeds;
}

struct Timed {
  std::unique_ptr<engine::Session> session;
  std::vector<engine::Tensor> feeds;
  std::vector<double> ms;
};

}  // namespace

Json VariantChoice::to_json() const {
  Json t = Json::array();
  for (const auto& v : timings) {
    Json e = {{"name", v.name}, {"file", v.file}};
    if (v.error.empty()) e["median_ms"] = v.median_ms;
    else e["error"] = v.error;
    t.push_back(e);
  }
  return {{"chosen", chosen}, {"file", file}, {"reason", reason}, {"timings", t}};
}

Result<VariantChoice> VariantChoice::from_json(const Json& j) {
  if (!j.is_object() || !j.contains("chosen") || !j["chosen"].is_string() || !j.contains("file") || !j["file"].is_string())
    return invalid_argument("a variant choice needs \"chosen\" and \"file\" strings");
  VariantChoice c;
  c.chosen = j["chosen"];
  c.file = j["file"];
  c.reason = j.value("reason", "");
  if (c.file.empty() || c.file.find("..") != std::string::npos || c.file[0] == '/')
    return invalid_argument("a variant choice names an unsafe file '" + c.file + "'");
  for (const auto& e : j.value("timings", Json::array())) {
    VariantTiming v;
    v.name = e.value("name", "");
    v.file = e.value("file", "");
    v.median_ms = e.value("median_ms", -1.0);
    v.error = e.value("error", "");
    c.timings.push_back(v);
  }
  return c;
}

std::vector<VariantTiming> list_variants(const std::string& version_dir) {
  std::vector<VariantTiming> out;
  out.push_back({default_variant_name(version_dir), "model.onnx", -1, ""});
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(version_dir + "/artifacts", ec)) {
    std::string file = entry.path().filename().string();
    if (entry.is_regular_file() && file.rfind(kVariantPrefix, 0) == 0) names.push_back(file);
  }
  std::sort(names.begin(), names.end());
  for (const auto& file : names) out.push_back({file.substr(std::strlen(kVariantPrefix)), "artifacts/" + file, -1, ""});
  return out;
}

Result<VariantChoice> time_variants(const std::string& version_dir, const VariantBenchOptions& options) {
  VariantChoice choice;
  choice.timings = list_variants(version_dir);
  std::vector<Timed> timed(choice.timings.size());
  engine::SessionOptions so;
  so.threads = options.threads;
  for (size_t i = 0; i < timed.size(); ++i) {
    auto& v = choice.timings[i];
    auto s = engine::Session::open(version_dir + "/" + v.file, so);
    if (!s.is_ok()) {
      v.error = s.status().message();
      continue;
    }
    auto feeds = zero_inputs(**s);
    if (!feeds.is_ok()) {
      v.error = feeds.status().message();
      continue;
    }
    timed[i].session = std::move(s).value();
    timed[i].feeds = std::move(feeds).value();
    for (int w = 0; w < options.warmup && v.error.empty(); ++w) {
      auto r = timed[i].session->run(timed[i].feeds);
      if (!r.is_ok()) v.error = r.status().message();
    }
  }
  // Rounds that alternate the variants, so that a busy moment of the machine falls on all.
  const int rounds = 3;
  for (int round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < timed.size(); ++i) {
      if (!choice.timings[i].error.empty() || !timed[i].session) continue;
      int n = std::max(1, (options.runs + rounds - 1) / rounds);
      for (int k = 0; k < n; ++k) {
        auto start = std::chrono::steady_clock::now();
        auto r = timed[i].session->run(timed[i].feeds);
        if (!r.is_ok()) {
          choice.timings[i].error = r.status().message();
          break;
        }
        timed[i].ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      }
    }
  }
  const VariantTiming* best = nullptr;
  for (size_t i = 0; i < timed.size(); ++i) {
    auto& v = choice.timings[i];
    if (!v.error.empty() || timed[i].ms.empty()) continue;
    auto& ms = timed[i].ms;
    std::nth_element(ms.begin(), ms.begin() + static_cast<long>(ms.size() / 2), ms.end());
    v.median_ms = ms[ms.size() / 2];
    if (!best || v.median_ms < best->median_ms) best = &v;
  }
  if (!best) return invalid_argument("no variant of " + version_dir + " runs: " + choice.timings[0].error);
  choice.chosen = best->name;
  choice.file = best->file;
  std::string others;
  for (const auto& v : choice.timings) {
    if (&v == best) continue;
    char buf[160];
    if (v.error.empty()) std::snprintf(buf, sizeof buf, "%s %.3f ms", v.name.c_str(), v.median_ms);
    else std::snprintf(buf, sizeof buf, "%s failed", v.name.c_str());
    others += (others.empty() ? "" : ", ") + std::string(buf);
  }
  char buf[320];
  std::snprintf(buf, sizeof buf, "fastest here: %s %.3f ms against %s (median of %d runs each, %d thread%s, zero inputs)",
                best->name.c_str(), best->median_ms, others.empty() ? "nothing" : others.c_str(),
                static_cast<int>(timed[static_cast<size_t>(best - choice.timings.data())].ms.size()), options.threads,
                options.threads == 1 ? "" : "s");
  choice.reason = buf;
  return choice;
}

Result<VariantChoice> choose_variant(const std::string& version_dir, const VariantBenchOptions& options, bool* newly_timed) {
  if (newly_timed) *newly_timed = false;
  const std::string recorded = version_dir + "/" + kVariantChoiceFile;
  if (auto text = read_file(recorded, 1 << 20); text.is_ok()) {
    auto c = VariantChoice::from_json(Json::parse(*text, nullptr, false));
    if (c.is_ok() && fs::exists(version_dir + "/" + c->file)) return c;
    // A damaged record is timed again rather than trusted.
  }
  auto variants = list_variants(version_dir);
  if (variants.size() == 1) {
    VariantChoice only;
    only.chosen = variants[0].name;
    only.file = variants[0].file;
    only.reason = "the version has one variant";
    return only;
  }
  FOGLINE_ASSIGN_OR_RETURN(VariantChoice c, time_variants(version_dir, options));
  FOGLINE_TRY(write_file_atomic(recorded, c.to_json().dump(2) + "\n"));
  if (newly_timed) *newly_timed = true;
  return c;
}

}  // namespace fogline::node::agent
