#include "registry/git_fetch.h"

#include <filesystem>

#include "registry/subprocess.h"

namespace fs = std::filesystem;

namespace fogline::registry {
namespace {

bool is_commit_hex(const std::string& s, size_t min_len) {
  return s.size() >= min_len && s.size() <= 40 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// git without prompts, hooks or the user's configuration getting in the way.
std::vector<std::string> git(const std::string& repo, std::vector<std::string> args) {
  std::vector<std::string> argv = {"env", "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "GIT_LFS_SKIP_SMUDGE=1",
                                   "git", "-c", "protocol.file.allow=always", "-c", "credential.helper="};
  if (!repo.empty()) {
    argv.push_back("-C");
    argv.push_back(repo);
  }
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

Status git_failed(const std::string& what, const ProcessResult& r) {
  return io_error(what + " failed (git exit " + std::to_string(r.exit_code) + "): " + trim(r.err));
}

// A process that could not even start reads as a failed one (exit -1, the reason in err).
ProcessResult run_lenient(const std::vector<std::string>& argv) {
  auto r = run_process(argv);
  if (r.is_ok()) return *r;
  ProcessResult failed;
  failed.err = r.status().message();
  return failed;
}

struct WorkDir {
  std::string path;
  ~WorkDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};

}  // namespace

Result<std::string> git_resolve_commit(const std::string& url, const std::string& ref) {
  if (is_commit_hex(ref, 40)) return ref;
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult r, run_process(git("", {"ls-remote", "--", url, ref.empty() ? "HEAD" : ref})));
  if (r.exit_code != 0) return git_failed("git ls-remote " + url, r);
  // "<sha>\trefs/heads/main"; prefer the peeled tag (^{}) when there is one.
  std::string commit;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t end = r.out.find('\n', pos);
    std::string line = r.out.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? r.out.size() : end + 1;
    if (line.size() < 41) continue;
    std::string sha = line.substr(0, 40), name = line.substr(41);
    if (commit.empty() || (name.size() > 3 && name.compare(name.size() - 3, 3, "^{}") == 0)) commit = sha;
  }
  if (commit.empty()) return not_found("git remote " + url + " has no ref '" + ref + "'");
  return commit;
}

Result<GitFile> git_fetch_file(store::Home& home, const std::string& url, const std::string& path, const std::string& ref) {
  WorkDir work;
  FOGLINE_ASSIGN_OR_RETURN(work.path, home.new_work_dir("git"));
  std::string repo = work.path + "/repo.git";
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult init, run_process(git("", {"init", "-q", "--bare", repo})));
  if (init.exit_code != 0) return git_failed("git init", init);
  std::string want = ref.empty() ? "HEAD" : ref;
  // Shallow first; dumb HTTP cannot do shallow, and a bare commit id may need a full fetch.
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult fetch, run_process(git(repo, {"fetch", "-q", "--depth", "1", "--", url, want})));
  if (fetch.exit_code != 0) fetch = run_lenient(git(repo, {"fetch", "-q", "--", url, want}));
  std::string commit_expr = "FETCH_HEAD";
  if (fetch.exit_code != 0 && is_commit_hex(want, 7)) {
    fetch = run_lenient(git(repo, {"fetch", "-q", "--", url, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"}));
    commit_expr = want;
  }
  if (fetch.exit_code != 0) return git_failed("git fetch " + url + " " + want, fetch);
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult rev, run_process(git(repo, {"rev-parse", "--verify", "-q", commit_expr + "^{commit}"})));
  if (rev.exit_code != 0) return not_found("git remote " + url + " has no commit '" + want + "'");
  GitFile out;
  out.commit = trim(rev.out);
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult type, run_process(git(repo, {"cat-file", "-t", out.commit + ":" + path})));
  if (type.exit_code != 0 || trim(type.out) != "blob")
    return not_found("'" + path + "' is not a file in " + url + " at " + want + " (commit " + out.commit + ")");
  out.temp_path = home.cas().new_temp_path("git");
  FOGLINE_ASSIGN_OR_RETURN(ProcessResult blob, run_process(git(repo, {"cat-file", "blob", out.commit + ":" + path}), out.temp_path));
  if (blob.exit_code != 0) {
    std::error_code ec;
    fs::remove(out.temp_path, ec);
    return git_failed("git cat-file " + path, blob);
  }
  // A repository may name its LFS server in .lfsconfig (git-lfs server discovery).
  std::string lfsconfig = work.path + "/lfsconfig";
  auto cfg = run_process(git(repo, {"cat-file", "blob", out.commit + ":.lfsconfig"}), lfsconfig);
  if (cfg.is_ok() && cfg->exit_code == 0) {
    auto url_line = run_process(git("", {"config", "--file", lfsconfig, "--get", "lfs.url"}));
    if (url_line.is_ok() && url_line->exit_code == 0) out.lfs_url = trim(url_line->out);
  }
  return out;
}

}  // namespace fogline::registry
