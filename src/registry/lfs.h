// Git LFS: pointer files (the small text a repository holds in place of a large file) and
// the batch API that tells where the real bytes are (git-lfs docs/api/batch.md, basic
// transfer). The object's SHA-256 and size come from the pointer and are checked after the
// download.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "registry/http_client.h"

namespace fogline::registry {

struct LfsPointer {
  std::string oid;  // 64 lower-case hex (sha256)
  int64_t size = 0;
};

// nullopt when `bytes` is not a pointer at all; an error when it claims to be one and is malformed.
Result<std::optional<LfsPointer>> parse_lfs_pointer(std::string_view bytes);

struct LfsDownloadAction {
  std::string href;
  HttpHeaders headers;
};

// POST {lfs_url}/objects/batch for one object; `ref` ("refs/heads/main") is passed when known.
Result<LfsDownloadAction> lfs_batch_download(const std::string& lfs_url, const LfsPointer& pointer,
                                             const std::string& ref = "");

}  // namespace fogline::registry
