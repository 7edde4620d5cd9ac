// The registry's consistency check (the property the kill -9 tests assert): every version's
// artifacts are rows and objects, and every reference count equals the rows that reference it.
#include <map>

#include "registry/registry.h"

namespace fogline::registry {

Result<IntegrityReport> Registry::check_integrity(bool verify_hashes) {
  IntegrityReport report;
  FOGLINE_ASSIGN_OR_RETURN(auto versions, db_.query("SELECT COUNT(*) FROM versions"));
  report.versions = static_cast<int>(versions[0].i(0));
  // References held by version artifacts. Modules that reference artifacts from their own
  // tables add their counting query here.
  std::map<std::string, int64_t> references;
  FOGLINE_ASSIGN_OR_RETURN(auto refs, db_.query("SELECT digest, COUNT(*) FROM version_artifacts GROUP BY digest"));
  for (const auto& r : refs) references[r.s(0)] += r.i(1);

  FOGLINE_ASSIGN_OR_RETURN(auto rows, db_.query("SELECT digest, size_bytes, refcount FROM artifacts"));
  report.artifacts = static_cast<int>(rows.size());
  std::map<std::string, bool> seen;
  for (const auto& r : rows) {
    std::string digest = r.s(0);
    seen[digest] = true;
    int64_t expected = references.count(digest) ? references[digest] : 0;
    if (r.i(2) != expected)
      report.problems.push_back("artifact " + digest + " has refcount " + std::to_string(r.i(2)) + " but " +
                                std::to_string(expected) + " references");
    if (r.i(2) == 0) continue;  // gc may already have removed the object
    auto size = home_.cas().size_of(digest);
    if (!size.is_ok()) {
      report.problems.push_back("artifact " + digest + " is referenced but missing from the content store");
      continue;
    }
    if (static_cast<int64_t>(*size) != r.i(1))
      report.problems.push_back("artifact " + digest + " is " + std::to_string(*size) + " bytes on disk, recorded as " +
                                std::to_string(r.i(1)));
    if (verify_hashes) {
      if (Status s = home_.cas().verify(digest); !s) report.problems.push_back(s.message());
    }
  }
  for (const auto& [digest, n] : references)
    if (!seen.count(digest)) report.problems.push_back("artifact " + digest + " is referenced by " + std::to_string(n) + " versions but has no row");
  FOGLINE_ASSIGN_OR_RETURN(auto objects, home_.cas().list());
  report.objects = static_cast<int>(objects.size());
  return report;
}

}  // namespace fogline::registry
