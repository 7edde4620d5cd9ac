// Where the shared test material lives: $FOGLINE_SHARED, else ../shared beside the checkout.
// Tests that need it call FOGLINE_REQUIRE_SHARED(path) and are skipped, saying why, without it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace fogline::engine::testing {

inline std::filesystem::path shared_dir() {
  const char* env = std::getenv("FOGLINE_SHARED");
  if (env && *env) return env;
  return std::filesystem::path(FOGLINE_SOURCE_DIR) / ".." / "shared";
}

}  // namespace fogline::engine::testing

#define FOGLINE_REQUIRE_SHARED(relative)                                                   \
  do {                                                                                     \
    if (!std::filesystem::exists(::fogline::engine::testing::shared_dir() / (relative))) { \
      GTEST_SKIP() << "shared test material not found: "                                  \
                   << (::fogline::engine::testing::shared_dir() / (relative))              \
                   << " (set FOGLINE_SHARED)";                                             \
    }                                                                                      \
  } while (0)
