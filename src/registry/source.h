// Where a model comes from. `fogline model import SOURCE` accepts:
//   a local path                                    -> kLocal
//   http(s)://...                                   -> kHttp
//   https://github.com/OWNER/REPO/blob/REF/PATH     -> kHttp, {raw}/OWNER/REPO/REF/PATH
//   https://raw.githubusercontent.com/OWNER/REPO/REF/PATH
//   github:OWNER/REPO/PATH@REF                      -> kHttp, as above (REF defaults to HEAD)
//   hf:OWNER/REPO/PATH@REVISION                     -> kHttp, {hf}/OWNER/REPO/resolve/REVISION/PATH
//   git+URL#PATH@REF                                -> kGit (the real git binary; https, http, file)
// GitHub sources also know their git remote ({github}/OWNER/REPO.git), which resolves the ref
// to a commit and is the origin of Git LFS objects. The base URLs come from SourceBases so
// that tests point them at servers on 127.0.0.1.
#pragma once

#include <string>

#include "core/status.h"

namespace fogline::registry {

struct SourceBases {
  std::string github = "https://github.com";
  std::string github_raw = "https://raw.githubusercontent.com";
  std::string huggingface = "https://huggingface.co";
  // $FOGLINE_GITHUB_URL, $FOGLINE_GITHUB_RAW_URL, $FOGLINE_HF_URL override the defaults.
  static SourceBases from_env();
};

struct Source {
  enum class Kind { kLocal, kHttp, kGit };
  Kind kind = Kind::kLocal;
  std::string original;   // as the user wrote it (recorded as the version's source)
  std::string path;       // kLocal: the file; kGit: the path inside the repository
  std::string url;        // kHttp: what to GET; kGit: the repository URL
  std::string ref;        // kGit / GitHub / HF: branch, tag or commit ("" = default)
  std::string git_remote; // a git remote that holds the file (GitHub), for commit and LFS
  std::string lfs_url;    // the Git LFS server of the origin, "" when unknown
  std::string file_name;  // last path component, to name the model by default
};

Result<Source> parse_source(const std::string& text, const SourceBases& bases);

// Git LFS server discovery: https://host/a/b -> https://host/a/b.git/info/lfs.
std::string lfs_url_for_remote(const std::string& remote);

}  // namespace fogline::registry
