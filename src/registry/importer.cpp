#include "registry/importer.h"

#include <cctype>
#include <chrono>
#include <thread>
#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"
#include "registry/git_fetch.h"
#include "registry/http_client.h"
#include "registry/lfs.h"
#include "registry/model_facts.h"

namespace fs = std::filesystem;

namespace fogline::registry {
namespace {

// Deletes the temporary file unless ownership moved on (adopted into the store).
struct TempFile {
  std::string path;
  ~TempFile() { discard(); }
  void discard() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
    path.clear();
  }
};

std::string default_model_name(const std::string& file_name) {
  std::string stem = fs::path(file_name).stem().string();
  std::string out;
  for (char c : stem) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ? c : '-';
  while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out[0]))) out.erase(0, 1);
  return out.empty() ? "model" : out;
}

Status check_expected(const std::string& sha256, const std::string& expected, const std::string& what) {
  if (!expected.empty() && sha256 != expected)
    return invalid_argument(what + " has SHA-256 " + sha256 + ", expected " + expected);
  return Status::ok();
}

}  // namespace

Result<ImportResult> import_model(Registry& registry, const std::string& source_text, const ImportOptions& options) {
  std::string expected = options.sha256;
  for (char& c : expected) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!expected.empty() && !is_sha256_hex(expected))
    return invalid_argument("--sha256 '" + options.sha256 + "' is not 64 hex characters");
  FOGLINE_ASSIGN_OR_RETURN(Source source, parse_source(source_text, options.bases));
  std::string name = options.name.empty() ? default_model_name(source.file_name) : options.name;
  FOGLINE_TRY(check_model_name(name));
  if (!options.version.empty()) FOGLINE_TRY(check_version_name(options.version));
  ContentStore& cas = registry.home().cas();
  ImportResult result;
  auto progress = [&](const char* stage) {
    return [&options, stage](int64_t done, int64_t total) {
      if (options.progress) options.progress(stage, done, total);
    };
  };

  // 1. The bytes (or a pointer to them) into a temporary file of the store.
  TempFile temp;
  std::string commit, lfs_url = source.lfs_url, ref_name;
  switch (source.kind) {
    case Source::Kind::kLocal: {
      if (!fs::is_regular_file(source.path)) return not_found("'" + source.path + "' is not a file");
      temp.path = cas.new_temp_path("import");
      std::error_code ec;
      fs::copy_file(source.path, temp.path, fs::copy_options::overwrite_existing, ec);
      if (ec) return io_error("cannot copy '" + source.path + "': " + ec.message());
      break;
    }
    case Source::Kind::kHttp: {
      DownloadRequest req;
      req.url = source.url;
      // A GitHub/Hugging Face file may be an LFS pointer, whose own hash is not the model's.
      if (source.lfs_url.empty()) req.expected_sha256 = expected;
      req.progress = progress("download");
      auto dl = download_to_temp(cas, req);
      if (!dl.is_ok()) return dl.status();
      temp.path = dl->temp_path;
      result.resumed = dl->resumed;
      if (auto it = dl->headers.find("x-repo-commit"); it != dl->headers.end()) commit = it->second;  // Hugging Face
      if (commit.empty() && !source.git_remote.empty()) {
        auto resolved = git_resolve_commit(source.git_remote, source.ref);
        if (resolved.is_ok()) commit = *resolved;  // unknown commit is not fatal: the source URL still says where
      }
      if (!source.ref.empty() && source.ref != "HEAD" && source.ref.find('/') == std::string::npos)
        ref_name = "refs/heads/" + source.ref;
      break;
    }
    case Source::Kind::kGit: {
      auto file = git_fetch_file(registry.home(), source.url, source.path, source.ref);
      if (!file.is_ok()) return file.status();
      temp.path = file->temp_path;
      commit = file->commit;
      if (!file->lfs_url.empty()) lfs_url = file->lfs_url;
      break;
    }
  }

  // 2. A Git LFS pointer is resolved through the origin's batch API (or, for a file://
  //    remote, its local LFS store), and the object checked against the pointer.
  std::error_code ec;
  if (fs::file_size(temp.path, ec) < 1024 && !ec) {
    FOGLINE_ASSIGN_OR_RETURN(std::string head, read_file(temp.path));
    auto pointer = parse_lfs_pointer(head);
    if (!pointer.is_ok()) return pointer.status().with_context(source_text);
    if (pointer->has_value()) {
      const LfsPointer& p = **pointer;
      result.lfs = true;
      FOGLINE_TRY(check_expected(p.oid, expected.empty() ? p.oid : expected, "the Git LFS pointer's object"));
      temp.discard();
      if (!options.lfs_url.empty()) lfs_url = options.lfs_url;
      if (lfs_url.empty() && source.kind == Source::Kind::kGit && source.url.rfind("file://", 0) == 0) {
        std::string root = source.url.substr(7);
        std::string rel = "/lfs/objects/" + p.oid.substr(0, 2) + "/" + p.oid.substr(2, 2) + "/" + p.oid;
        for (const std::string& candidate : {root + rel, root + "/.git" + rel}) {
          if (!fs::is_regular_file(candidate)) continue;
          temp.path = cas.new_temp_path("lfs");
          fs::copy_file(candidate, temp.path, fs::copy_options::overwrite_existing, ec);
          if (ec) return io_error("cannot copy Git LFS object '" + candidate + "': " + ec.message());
          break;
        }
        if (temp.path.empty()) return not_found("Git LFS object " + p.oid + " is not in the local repository " + root);
      } else {
        if (lfs_url.empty())
          return not_found(source_text + " is a Git LFS pointer and its LFS server is unknown (give --lfs-url)");
        FOGLINE_ASSIGN_OR_RETURN(LfsDownloadAction action, lfs_batch_download(lfs_url, p, ref_name));
        DownloadRequest req;
        req.url = action.href;
        req.headers = action.headers;
        req.expected_sha256 = p.oid;
        req.expected_size = p.size;
        req.progress = progress("lfs");
        auto dl = download_to_temp(cas, req);
        if (!dl.is_ok()) return dl.status().with_context("Git LFS object " + p.oid);
        temp.path = dl->temp_path;
        result.resumed = result.resumed || dl->resumed;
      }
      FOGLINE_ASSIGN_OR_RETURN(int64_t size, Result<int64_t>(static_cast<int64_t>(fs::file_size(temp.path))));
      if (size != p.size)
        return invalid_argument("Git LFS object " + p.oid + " is " + std::to_string(size) + " bytes, the pointer says " +
                                std::to_string(p.size));
      FOGLINE_ASSIGN_OR_RETURN(std::string got, sha256_file_hex(temp.path));
      FOGLINE_TRY(check_expected(got, p.oid, "Git LFS object"));
    }
  }

  // 3. Verify the hash the user gave.
  FOGLINE_ASSIGN_OR_RETURN(std::string digest, sha256_file_hex(temp.path));
  FOGLINE_TRY(check_expected(digest, expected, source_text));

  // 4. The engine must be able to read it.
  if (options.progress) options.progress("inspect", 0, 0);
  auto inspected = inspect_model_file(temp.path);
  if (!inspected.is_ok()) return inspected.status().with_context(source_text);
  Json facts = std::move(inspected).value();
  int64_t size = static_cast<int64_t>(fs::file_size(temp.path));

  // 5. Into the store, then the version in one transaction. If the version cannot be made,
  //    an object this import added is removed again.
  result.existing_object = cas.contains(digest);
  FOGLINE_ASSIGN_OR_RETURN(std::string adopted, cas.adopt(temp.path, digest));
  temp.path.clear();  // adopt() moved or deleted it
  auto pause = [ms = options.test_pause_ms] {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  };
  pause();
  NewVersion nv;
  nv.model = name;
  nv.version = options.version;
  nv.parent = options.parent;
  nv.source_url = source.original;
  nv.source_commit = commit;
  nv.facts = std::move(facts);
  nv.actor = options.actor;
  nv.processing_spec = options.processing_spec;
  nv.hyperparameters = options.hyperparameters;
  nv.dataset_versions = options.dataset_versions;
  nv.artifacts = {{"model", adopted, size}};
  nv.before_commit = pause;
  auto version = registry.create_version(nv);
  if (!version.is_ok()) {
    if (!result.existing_object) (void)cas.remove(adopted);
    return version.status();
  }
  result.version = std::move(version).value();
  return result;
}

}  // namespace fogline::registry
