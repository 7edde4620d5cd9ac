// `model diff A B`: every field that differs between two versions, flattened to dotted paths
// so that a changed hyper-parameter or one changed input shape shows as one line.
#include <algorithm>
#include <map>

#include "registry/registry.h"

namespace fogline::registry {
namespace {

void flatten(const Json& j, const std::string& prefix, std::map<std::string, std::string>& out) {
  if (j.is_object() && !j.empty()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out[prefix] = j.is_string() ? j.get<std::string>() : j.dump();
  }
}

std::map<std::string, std::string> fields_of(const VersionRecord& v, const std::vector<MetricRecord>& metrics) {
  std::map<std::string, std::string> f;
  f["stage"] = stage_name(v.stage);
  f["parent"] = v.parent;
  f["source_url"] = v.source_url;
  f["source_commit"] = v.source_commit;
  flatten(v.dataset_versions, "datasets", f);
  flatten(v.hyperparameters, "hyperparameters", f);
  flatten(v.processing_spec, "spec", f);
  flatten(v.facts, "facts", f);
  for (const ArtifactRef& a : v.artifacts) f["artifacts." + a.role] = a.digest;
  std::string tags;
  for (const auto& t : v.tags) tags += (tags.empty() ? "" : ",") + t;
  f["tags"] = tags;
  for (const MetricRecord& m : metrics) {
    std::string where = "metrics." + m.dataset + (m.dataset_version.empty() ? "" : "#" + m.dataset_version) + "." +
                        (m.slice.slice_key.empty() ? "overall" : m.slice.slice_key + "=" + m.slice.slice_value);
    flatten(m.slice.metrics, where, f);
  }
  // Empty objects flatten to "{}" under their prefix: drop those so absent == empty.
  for (auto it = f.begin(); it != f.end();) it = (it->second == "{}" || it->second.empty()) ? f.erase(it) : std::next(it);
  return f;
}

}  // namespace

Result<std::vector<FieldDiff>> Registry::diff(const std::string& ref_a, const std::string& ref_b) {
  FOGLINE_ASSIGN_OR_RETURN(VersionRecord a, get(ref_a));
  FOGLINE_ASSIGN_OR_RETURN(VersionRecord b, get(ref_b));
  FOGLINE_ASSIGN_OR_RETURN(auto ma, metrics(a.ref()));
  FOGLINE_ASSIGN_OR_RETURN(auto mb, metrics(b.ref()));
  auto fa = fields_of(a, ma), fb = fields_of(b, mb);
  std::vector<FieldDiff> out;
  for (const auto& [k, v] : fa) {
    auto it = fb.find(k);
    std::string other = it == fb.end() ? "" : it->second;
    if (v != other) out.push_back({k, v, other});
  }
  for (const auto& [k, v] : fb)
    if (!fa.count(k)) out.push_back({k, "", v});
  std::sort(out.begin(), out.end(), [](const FieldDiff& x, const FieldDiff& y) { return x.field < y.field; });
  return out;
}

}  // namespace fogline::registry
