#include "store/gc.h"

#include <chrono>
#include <filesystem>
#include <set>

#include "store/artifacts.h"

namespace fs = std::filesystem;

namespace fogline::store {

Result<GcReport> collect_garbage(Home& home, const GcOptions& options) {
  GcReport report;
  Database& db = home.db();
  if (!options.dry_run) {
    FOGLINE_ASSIGN_OR_RETURN(Transaction tx, Transaction::begin(db));
    FOGLINE_ASSIGN_OR_RETURN(int64_t n, db.execute("DELETE FROM artifacts WHERE refcount = 0"));
    FOGLINE_TRY(tx.commit());
    report.rows_removed = static_cast<int>(n);
  }
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT digest FROM artifacts WHERE refcount > 0"));
  std::set<std::string> referenced;
  for (const Row& r : rows) referenced.insert(r.s(0));

  FOGLINE_ASSIGN_OR_RETURN(auto objects, home.cas().list());
  auto now = fs::file_time_type::clock::now();
  for (const std::string& digest : objects) {
    if (referenced.count(digest)) continue;
    std::error_code ec;
    std::string path = home.cas().path_of(digest);
    auto mtime = fs::last_write_time(path, ec);
    if (ec) continue;  // removed meanwhile
    auto age = std::chrono::duration_cast<std::chrono::seconds>(now - mtime).count();
    if (age < options.grace_seconds) {
      ++report.objects_kept_young;
      continue;
    }
    uint64_t size = fs::file_size(path, ec);
    if (options.dry_run) {
      ++report.objects_removed;
      report.bytes_freed += ec ? 0 : size;
      continue;
    }
    if (home.cas().remove(digest)) {
      ++report.objects_removed;
      report.bytes_freed += ec ? 0 : size;
    }
  }
  if (!options.dry_run) {
    FOGLINE_ASSIGN_OR_RETURN(report.temp_files_removed, home.cas().clean_temp());
    FOGLINE_ASSIGN_OR_RETURN(report.work_dirs_removed, home.clean_work_dirs());
  }
  return report;
}

}  // namespace fogline::store
