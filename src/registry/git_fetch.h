// Files from any git server with the real git binary (https, http smart or dumb, file://):
// a bare repository in a work directory of the home, a fetch of just the wanted ref (shallow
// when the transport allows it), then `git cat-file` of one path at that commit.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "store/home.h"

namespace fogline::registry {

struct GitFile {
  std::string temp_path;  // the blob, in the content store's tmp/ (the caller adopts or deletes it)
  std::string commit;     // 40 hex
  std::string lfs_url;    // lfs.url from the commit's .lfsconfig, if any
};

Result<GitFile> git_fetch_file(store::Home& home, const std::string& url, const std::string& path, const std::string& ref);

// The commit REF names on a remote (`git ls-remote`); a 40-hex REF is its own answer.
Result<std::string> git_resolve_commit(const std::string& url, const std::string& ref);

}  // namespace fogline::registry
