// The content-addressed artifact store: every model, bundle, dataset file and ledger blob is
// kept once, named by the SHA-256 of its bytes (objects/ab/cdef…). Writes go to tmp/, are
// fsynced, hashed and renamed into place, so a killed writer leaves at most a temporary file
// (swept by clean_tmp) and never a half-written object. Reference counts live with the
// metadata (store/registry), which decides what `fogline gc` may remove.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fogline {

class ContentStore {
 public:
  // Opens (creating when absent) a store rooted at `root`.
  static Result<ContentStore> open(const std::string& root);

  // Stores bytes; returns their SHA-256 hex. Storing existing content is a no-op.
  Result<std::string> put(std::string_view bytes);
  // Copies a file in, streaming.
  Result<std::string> put_file(const std::string& path);
  // Moves a file the caller wrote under temp_dir() into the store. When `expected_sha256` is
  // given and differs, the file is deleted and an error names both hashes.
  Result<std::string> adopt(const std::string& temp_path, std::string_view expected_sha256 = {});
  // A fresh path under temp_dir() for a writer that streams (downloads).
  std::string new_temp_path(std::string_view hint = "part") const;

  bool contains(std::string_view digest) const;
  std::string path_of(std::string_view digest) const;
  Result<uint64_t> size_of(std::string_view digest) const;
  // Reads an object and checks its hash (a flipped bit on disk is reported, not returned).
  Result<std::string> read(std::string_view digest) const;
  Status verify(std::string_view digest) const;
  Result<std::vector<std::string>> list() const;
  Status remove(std::string_view digest);
  // Deletes leftovers of writers that were killed; returns how many were removed.
  Result<int> clean_temp() const;

  const std::string& root() const { return root_; }
  std::string temp_dir() const { return root_ + "/tmp"; }

 private:
  explicit ContentStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace fogline
