#include "store/gc.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/artifacts.h"
#include "store/home.h"
#include "store/test_backends.h"

namespace fs = std::filesystem;

namespace fogline::store {
namespace {

class GcTest : public testing::BackendTest {};
FOGLINE_INSTANTIATE_BACKENDS(GcTest);

TEST_P(GcTest, RemovesWhatNothingReferencesAndKeepsTheRest) {
  auto home = Home::open({dir_ + "/home", db_url_});
  ASSERT_TRUE(home.is_ok()) << home.status().to_string();
  ContentStore& cas = (*home)->cas();
  Database& db = (*home)->db();
  std::string kept = *cas.put("referenced bytes");
  std::string orphan = *cas.put("orphan bytes");
  std::string released = *cas.put("released bytes");
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx.is_ok());
    ASSERT_TRUE(add_artifact_ref(db, kept, 16).is_ok());
    ASSERT_TRUE(add_artifact_ref(db, released, 14).is_ok());
    ASSERT_TRUE(add_artifact_ref(db, released, 14).is_ok());
    ASSERT_TRUE(tx->commit().is_ok());
  }
  ASSERT_TRUE(release_artifact_ref(db, released).is_ok());
  ASSERT_TRUE(release_artifact_ref(db, released).is_ok());
  EXPECT_FALSE(release_artifact_ref(db, released).is_ok());  // never below zero
  // Leftovers of a killed writer (pid 999999999 does not exist) and of a live one (us).
  std::ofstream(cas.temp_dir() + "/download.999999999.0") << "partial";
  std::string live = cas.new_temp_path("download");
  std::ofstream(live) << "in progress";
  fs::create_directories((*home)->work_root() + "/git.999999999.3/objects");

  // Inside the grace period nothing unreferenced goes.
  auto young = collect_garbage(**home, {3600, false});
  ASSERT_TRUE(young.is_ok()) << young.status().to_string();
  EXPECT_EQ(young->objects_removed, 0);
  EXPECT_EQ(young->objects_kept_young, 2);
  EXPECT_EQ(young->rows_removed, 1);  // `released` fell to zero
  EXPECT_EQ(young->temp_files_removed, 1);
  EXPECT_EQ(young->work_dirs_removed, 1);
  EXPECT_TRUE(fs::exists(live));

  auto report = collect_garbage(**home, {0, false});
  ASSERT_TRUE(report.is_ok());
  EXPECT_EQ(report->objects_removed, 2);
  EXPECT_EQ(report->bytes_freed, 12u + 14u);
  EXPECT_TRUE(cas.contains(kept));
  EXPECT_FALSE(cas.contains(orphan));
  EXPECT_FALSE(cas.contains(released));
  auto rows = list_artifacts(db);
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].digest, kept);
  EXPECT_EQ((*rows)[0].refcount, 1);
}

TEST_P(GcTest, HomeOpensTwiceAndKeepsItsData) {
  std::string digest;
  {
    auto home = Home::open({dir_ + "/home", db_url_});
    ASSERT_TRUE(home.is_ok()) << home.status().to_string();
    digest = *(*home)->cas().put("x");
    ASSERT_TRUE(add_artifact_ref((*home)->db(), digest, 1).is_ok());
  }
  auto home = Home::open({dir_ + "/home", db_url_});
  ASSERT_TRUE(home.is_ok()) << home.status().to_string();
  auto rows = list_artifacts((*home)->db());
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].digest, digest);
  if (GetParam() == Backend::kSqlite) EXPECT_TRUE(fs::exists(dir_ + "/meta.db-wal") || fs::exists(dir_ + "/meta.db"));
}

}  // namespace
}  // namespace fogline::store
