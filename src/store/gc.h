// `fogline gc`: removes content-store objects no row references, the artifact rows whose
// count fell to zero, temporary files of killed writers and work directories of dead
// processes. Objects younger than the grace period are kept: an import adopts its object
// before the transaction that references it commits, and gc must not race it.
#pragma once

#include <cstdint>

#include "store/home.h"

namespace fogline::store {

struct GcOptions {
  int64_t grace_seconds = 600;
  bool dry_run = false;
};

struct GcReport {
  int rows_removed = 0;
  int objects_removed = 0;
  uint64_t bytes_freed = 0;
  int objects_kept_young = 0;  // unreferenced but inside the grace period
  int temp_files_removed = 0;
  int work_dirs_removed = 0;
};

Result<GcReport> collect_garbage(Home& home, const GcOptions& options);

}  // namespace fogline::store
