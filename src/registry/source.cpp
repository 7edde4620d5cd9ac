#include "registry/source.h"

#include <cstdlib>
#include <filesystem>
#include <vector>

namespace fogline::registry {
namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string last_component(const std::string& path) {
  std::string p = path.substr(0, path.find_first_of("?#"));
  size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

// Splits "a/b/c" into at most n parts; the last keeps the rest.
std::vector<std::string> split_path(const std::string& s, size_t n) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (parts.size() + 1 < n) {
    size_t slash = s.find('/', start);
    if (slash == std::string::npos) break;
    parts.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

Source github_source(const std::string& original, const SourceBases& bases, const std::string& owner,
                     const std::string& repo, const std::string& ref, const std::string& path) {
  Source s;
  s.kind = Source::Kind::kHttp;
  s.original = original;
  s.ref = ref;
  s.path = path;
  s.url = strip_slash(bases.github_raw) + "/" + owner + "/" + repo + "/" + ref + "/" + path;
  s.git_remote = strip_slash(bases.github) + "/" + owner + "/" + repo + ".git";
  s.lfs_url = lfs_url_for_remote(s.git_remote);
  s.file_name = last_component(path);
  return s;
}

Status bad(const std::string& text, const std::string& expected) {
  return invalid_argument("source '" + text + "' is not " + expected);
}

bool any_empty(const std::vector<std::string>& parts) {
  for (const auto& p : parts)
    if (p.empty()) return true;
  return false;
}

}  // namespace

SourceBases SourceBases::from_env() {
  SourceBases b;
  b.github = env_or("FOGLINE_GITHUB_URL", b.github);
  b.github_raw = env_or("FOGLINE_GITHUB_RAW_URL", b.github_raw);
  b.huggingface = env_or("FOGLINE_HF_URL", b.huggingface);
  return b;
}

std::string lfs_url_for_remote(const std::string& remote) {
  std::string r = strip_slash(remote);
  if (r.size() < 4 || r.compare(r.size() - 4, 4, ".git") != 0) r += ".git";
  return r + "/info/lfs";
}

Result<Source> parse_source(const std::string& text, const SourceBases& bases) {
  if (text.empty()) return invalid_argument("empty import source");
  // github:OWNER/REPO/PATH@REF
  if (starts_with(text, "github:")) {
    std::string rest = text.substr(7), ref = "HEAD";
    if (size_t at = rest.rfind('@'); at != std::string::npos) {
      ref = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    auto parts = split_path(rest, 3);
    if (parts.size() != 3 || any_empty(parts) || ref.empty()) return bad(text, "github:OWNER/REPO/PATH[@REF]");
    return github_source(text, bases, parts[0], parts[1], ref, parts[2]);
  }
  // hf:OWNER/REPO/PATH@REVISION
  if (starts_with(text, "hf:")) {
    std::string rest = text.substr(3), rev = "main";
    if (size_t at = rest.rfind('@'); at != std::string::npos) {
      rev = rest.substr(at + 1);
      rest = rest.substr(0, at);
    }
    auto parts = split_path(rest, 3);
    if (parts.size() != 3 || any_empty(parts) || rev.empty()) return bad(text, "hf:OWNER/REPO/PATH[@REVISION]");
    Source s;
    s.kind = Source::Kind::kHttp;
    s.original = text;
    s.ref = rev;
    s.path = parts[2];
    s.url = strip_slash(bases.huggingface) + "/" + parts[0] + "/" + parts[1] + "/resolve/" + rev + "/" + parts[2];
    s.lfs_url = lfs_url_for_remote(strip_slash(bases.huggingface) + "/" + parts[0] + "/" + parts[1]);
    s.file_name = last_component(parts[2]);
    return s;
  }
  // git+URL#PATH@REF
  if (starts_with(text, "git+")) {
    std::string rest = text.substr(4);
    size_t hash = rest.find('#');
    if (hash == std::string::npos) return bad(text, "git+URL#PATH[@REF]");
    Source s;
    s.kind = Source::Kind::kGit;
    s.original = text;
    s.url = rest.substr(0, hash);
    std::string frag = rest.substr(hash + 1);
    if (size_t at = frag.rfind('@'); at != std::string::npos) {
      s.ref = frag.substr(at + 1);
      frag = frag.substr(0, at);
    }
    s.path = frag;
    if (s.url.empty() || s.path.empty()) return bad(text, "git+URL#PATH[@REF]");
    if (!starts_with(s.url, "https://") && !starts_with(s.url, "http://") && !starts_with(s.url, "file://"))
      return invalid_argument("source '" + text + "': git URLs must be https://, http:// or file:// (got '" + s.url + "')");
    s.git_remote = s.url;
    if (!starts_with(s.url, "file://")) s.lfs_url = lfs_url_for_remote(s.url);
    s.file_name = last_component(s.path);
    return s;
  }
  if (starts_with(text, "http://") || starts_with(text, "https://")) {
    std::string github = strip_slash(bases.github) + "/", raw = strip_slash(bases.github_raw) + "/";
    // https://github.com/OWNER/REPO/blob/REF/PATH (also /raw/)
    if (starts_with(text, github)) {
      auto parts = split_path(text.substr(github.size()), 5);
      if (parts.size() == 5 && (parts[2] == "blob" || parts[2] == "raw") && !any_empty(parts))
        return github_source(text, bases, parts[0], parts[1], parts[3], parts[4].substr(0, parts[4].find_first_of("?#")));
    }
    // https://raw.githubusercontent.com/OWNER/REPO/REF/PATH
    if (starts_with(text, raw)) {
      auto parts = split_path(text.substr(raw.size()), 4);
      if (parts.size() == 4 && !any_empty(parts)) {
        Source s = github_source(text, bases, parts[0], parts[1], parts[2], parts[3]);
        s.url = text;
        return s;
      }
    }
    Source s;
    s.kind = Source::Kind::kHttp;
    s.original = text;
    s.url = text;
    s.file_name = last_component(text.substr(text.find("://") + 3));
    return s;
  }
  if (text.find("://") != std::string::npos)
    return invalid_argument("source '" + text + "': unknown scheme (expected a path, http(s)://, github:, hf: or git+URL#PATH)");
  Source s;
  s.kind = Source::Kind::kLocal;
  s.original = text;
  s.path = text;
  s.file_name = std::filesystem::path(text).filename().string();
  return s;
}

}  // namespace fogline::registry
