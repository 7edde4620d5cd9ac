// A Fogline home: the metadata database and the content-addressed store that belong together.
//   DIR/fogline.db   SQLite metadata (unless a postgresql:// URL is given)
//   DIR/cas/         objects/ab/cdef... and tmp/ (ContentStore)
//   DIR/work/        scratch directories of running commands (git checkouts), NAME.PID.N
#pragma once

#include <memory>
#include <string>

#include "core/content_store.h"
#include "store/database.h"

namespace fogline::store {

struct HomeOptions {
  std::string dir;     // empty: $FOGLINE_HOME, else ~/.fogline
  std::string db_url;  // empty: $FOGLINE_DB, else sqlite:DIR/fogline.db
};

std::string default_home_dir();

class Home {
 public:
  // Creates the home when absent and applies the store's migrations.
  static Result<std::unique_ptr<Home>> open(const HomeOptions& options);

  const std::string& dir() const { return dir_; }
  Database& db() { return *db_; }
  ContentStore& cas() { return cas_; }
  std::string work_root() const { return dir_ + "/work"; }
  // A fresh directory under work/, named so that gc can tell whether its owner still runs.
  Result<std::string> new_work_dir(const std::string& hint);
  // Removes work directories whose process is gone; returns how many.
  Result<int> clean_work_dirs() const;

 private:
  Home(std::string dir, std::unique_ptr<Database> db, ContentStore cas)
      : dir_(std::move(dir)), db_(std::move(db)), cas_(std::move(cas)) {}
  std::string dir_;
  std::unique_ptr<Database> db_;
  ContentStore cas_;
};

}  // namespace fogline::store
