#include "registry/importer.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>
#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"
#include "registry/git_fetch.h"
#include "registry/http_client.h"
#include "registry/lfs.h"
#include "registry/external_data.h"
#include "registry/model_facts.h"

namespace fs = std::filesystem;

namespace fogline::registry {
namespace {

// Deletes the temporary file unless ownership moved on (adopted into the store).
struct TempFile {
  std::string path;
  TempFile() = default;
  TempFile(TempFile&& o) noexcept : path(std::move(o.path)) { o.path.clear(); }
  TempFile& operator=(TempFile&&) = delete;
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


struct Fetched {
  TempFile temp;
  std::string commit;
  std::string ref_name;  // refs/heads/REF for the LFS batch request
  bool lfs = false, resumed = false;
};

// Steps 1-2 for one file: its bytes (or a pointer to them) into a temporary file of the
// store; a Git LFS pointer resolved through the origin's batch API (or, for a file://
// remote, its local LFS store) and the object checked against the pointer. `expected` is the
// SHA-256 the bytes must have ("" = unknown).
Result<Fetched> fetch_file(Registry& registry, const Source& source, const std::string& expected, const ImportOptions& options,
                           const std::string& what) {
  ContentStore& cas = registry.home().cas();
  auto progress = [&options](const char* stage) {
    return [&options, stage](int64_t done, int64_t total) {
      if (options.progress) options.progress(stage, done, total);
    };
  };
  Fetched f;
  std::string lfs_url = source.lfs_url;
  switch (source.kind) {
    case Source::Kind::kLocal: {
      if (!fs::is_regular_file(source.path)) return not_found("'" + source.path + "' is not a file");
      f.temp.path = cas.new_temp_path("import");
      std::error_code ec;
      fs::copy_file(source.path, f.temp.path, fs::copy_options::overwrite_existing, ec);
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
      f.temp.path = dl->temp_path;
      f.resumed = dl->resumed;
      if (auto it = dl->headers.find("x-repo-commit"); it != dl->headers.end()) f.commit = it->second;  // Hugging Face
      if (f.commit.empty() && !source.git_remote.empty()) {
        auto resolved = git_resolve_commit(source.git_remote, source.ref);
        if (resolved.is_ok()) f.commit = *resolved;  // unknown commit is not fatal: the source URL still says where
      }
      if (!source.ref.empty() && source.ref != "HEAD" && source.ref.find('/') == std::string::npos)
        f.ref_name = "refs/heads/" + source.ref;
      break;
    }
    case Source::Kind::kGit: {
      auto file = git_fetch_file(registry.home(), source.url, source.path, source.ref);
      if (!file.is_ok()) return file.status();
      f.temp.path = file->temp_path;
      f.commit = file->commit;
      if (!file->lfs_url.empty()) lfs_url = file->lfs_url;
      break;
    }
  }

  std::error_code ec;
  if (fs::file_size(f.temp.path, ec) >= 1024 || ec) return f;
  FOGLINE_ASSIGN_OR_RETURN(std::string head, read_file(f.temp.path));
  auto pointer = parse_lfs_pointer(head);
  if (!pointer.is_ok()) return pointer.status().with_context(what);
  if (!pointer->has_value()) return f;
  const LfsPointer& p = **pointer;
  f.lfs = true;
  FOGLINE_TRY(check_expected(p.oid, expected.empty() ? p.oid : expected, "the Git LFS pointer's object"));
  f.temp.discard();
  if (!options.lfs_url.empty()) lfs_url = options.lfs_url;
  if (lfs_url.empty() && source.kind == Source::Kind::kGit && source.url.rfind("file://", 0) == 0) {
    std::string root = source.url.substr(7);
    std::string rel = "/lfs/objects/" + p.oid.substr(0, 2) + "/" + p.oid.substr(2, 2) + "/" + p.oid;
    for (const std::string& candidate : {root + rel, root + "/.git" + rel}) {
      if (!fs::is_regular_file(candidate)) continue;
      f.temp.path = cas.new_temp_path("lfs");
      fs::copy_file(candidate, f.temp.path, fs::copy_options::overwrite_existing, ec);
      if (ec) return io_error("cannot copy Git LFS object '" + candidate + "': " + ec.message());
      break;
    }
    if (f.temp.path.empty()) return not_found("Git LFS object " + p.oid + " is not in the local repository " + root);
  } else {
    if (lfs_url.empty()) return not_found(what + " is a Git LFS pointer and its LFS server is unknown (give --lfs-url)");
    FOGLINE_ASSIGN_OR_RETURN(LfsDownloadAction action, lfs_batch_download(lfs_url, p, f.ref_name));
    DownloadRequest req;
    req.url = action.href;
    req.headers = action.headers;
    req.expected_sha256 = p.oid;
    req.expected_size = p.size;
    req.progress = progress("lfs");
    auto dl = download_to_temp(cas, req);
    if (!dl.is_ok()) return dl.status().with_context("Git LFS object " + p.oid);
    f.temp.path = dl->temp_path;
    f.resumed = f.resumed || dl->resumed;
  }
  FOGLINE_ASSIGN_OR_RETURN(int64_t size, Result<int64_t>(static_cast<int64_t>(fs::file_size(f.temp.path))));
  if (size != p.size)
    return invalid_argument("Git LFS object " + p.oid + " is " + std::to_string(size) + " bytes, the pointer says " +
                            std::to_string(p.size));
  FOGLINE_ASSIGN_OR_RETURN(std::string got, sha256_file_hex(f.temp.path));
  FOGLINE_TRY(check_expected(got, p.oid, "Git LFS object"));
  return f;
}

// Where an external-data file of the model lives at the model's source: beside the model
// (`location` is relative to the model's folder), from the same commit for git sources.
Source sibling_source(const Source& model, const std::string& location, const std::string& commit) {
  Source s = model;
  s.original = model.original + " (external data " + location + ")";
  s.file_name = fs::path(location).filename().string();
  switch (model.kind) {
    case Source::Kind::kLocal: s.path = (fs::path(model.path).parent_path() / location).string(); break;
    case Source::Kind::kGit: {
      std::string dir = fs::path(model.path).parent_path().generic_string();
      s.path = dir.empty() ? location : dir + "/" + location;
      if (!commit.empty()) s.ref = commit;
      break;
    }
    case Source::Kind::kHttp: {
      std::string url = model.url.substr(0, model.url.find_first_of("?#"));
      std::string encoded;
      for (char c : location) {
        if (c == ' ') encoded += "%20";
        else if (c == '#' || c == '?' || c == '%') encoded += c == '#' ? "%23" : c == '?' ? "%3F" : "%25";
        else encoded += c;
      }
      s.url = url.substr(0, url.rfind('/') + 1) + encoded;
      break;
    }
  }
  return s;
}

// Objects this import added to the store, removed again unless the version was committed.
struct AddedObjects {
  ContentStore& cas;
  std::vector<std::string> digests;
  bool keep = false;
  ~AddedObjects() {
    if (keep) return;
    for (const auto& d : digests) (void)cas.remove(d);
  }
};

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

  // 1-2. The model's bytes, through Git LFS when they are a pointer.
  FOGLINE_ASSIGN_OR_RETURN(Fetched model, fetch_file(registry, source, expected, options, source_text));
  result.lfs = model.lfs;
  result.resumed = model.resumed;

  // 3. Verify the hash the user gave.
  FOGLINE_ASSIGN_OR_RETURN(std::string digest, sha256_file_hex(model.temp.path));
  FOGLINE_TRY(check_expected(digest, expected, source_text));

  // 3b. External data: every file the model's tensors name, fetched from beside the model.
  FOGLINE_ASSIGN_OR_RETURN(std::vector<std::string> locations, external_data_locations(model.temp.path));
  std::vector<Fetched> data_files;
  for (const std::string& location : locations) {
    Source sibling = sibling_source(source, location, model.commit);
    auto fetched = fetch_file(registry, sibling, "", options, sibling.original);
    if (!fetched.is_ok()) return fetched.status().with_context(source_text + ": external data '" + location + "'");
    result.lfs = result.lfs || fetched->lfs;
    result.resumed = result.resumed || fetched->resumed;
    data_files.push_back(std::move(fetched).value());
  }

  // 4. The engine must be able to read it (with its external data laid out beside it).
  if (options.progress) options.progress("inspect", 0, 0);
  Result<Json> inspected = Json::object();
  if (locations.empty()) {
    inspected = inspect_model_file(model.temp.path);
  } else {
    std::string model_name = "model.onnx";  // not one of the data files' locations
    while (std::find(locations.begin(), locations.end(), model_name) != locations.end()) model_name = "_" + model_name;
    FOGLINE_ASSIGN_OR_RETURN(std::string dir, registry.home().new_work_dir("import"));
    auto laid_out = [&]() -> Status {
      auto place = [](const std::string& from, const std::string& to) -> Status {
        std::error_code ec;
        fs::create_directories(fs::path(to).parent_path(), ec);
        fs::create_hard_link(from, to, ec);  // same file system (the home); copy when not
        if (ec) fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        if (ec) return io_error("cannot place '" + to + "': " + ec.message());
        return Status::ok();
      };
      FOGLINE_TRY(place(model.temp.path, dir + "/" + model_name));
      for (size_t i = 0; i < locations.size(); ++i) FOGLINE_TRY(place(data_files[i].temp.path, dir + "/" + locations[i]));
      return Status::ok();
    }();
    inspected = laid_out.is_ok() ? inspect_model_file(dir + "/" + model_name) : Result<Json>(laid_out);
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  if (!inspected.is_ok()) return inspected.status().with_context(source_text);
  Json facts = std::move(inspected).value();
  int64_t size = static_cast<int64_t>(fs::file_size(model.temp.path));
  if (!locations.empty()) facts["external_data"] = locations;

  // 5. Into the store, then the version in one transaction. If the version cannot be made,
  //    the objects this import added are removed again.
  AddedObjects added{cas, {}};
  auto adopt = [&](TempFile& temp, std::string d, bool* existed) -> Result<std::string> {
    if (d.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(d, sha256_file_hex(temp.path));
    }
    *existed = cas.contains(d);
    FOGLINE_ASSIGN_OR_RETURN(std::string adopted, cas.adopt(temp.path, d));
    temp.path.clear();  // adopt() moved or deleted it
    if (!*existed) added.digests.push_back(adopted);
    return adopted;
  };
  std::vector<ArtifactRef> artifacts;
  FOGLINE_ASSIGN_OR_RETURN(std::string adopted, adopt(model.temp, digest, &result.existing_object));
  artifacts.push_back({"model", adopted, size});
  for (size_t i = 0; i < locations.size(); ++i) {
    int64_t data_size = static_cast<int64_t>(fs::file_size(data_files[i].temp.path));
    bool existed = false;
    FOGLINE_ASSIGN_OR_RETURN(std::string d, adopt(data_files[i].temp, "", &existed));
    artifacts.push_back({kExternalDataRolePrefix + locations[i], d, data_size});
  }
  for (const auto& [role, path] : options.extra_artifacts) {
    if (role.empty() || role == "model" || role.rfind(kExternalDataRolePrefix, 0) == 0)
      return invalid_argument("extra artifact '" + path + "': the role '" + role + "' is reserved or empty");
    std::error_code ec;
    auto extra_size = fs::file_size(path, ec);
    if (ec) return io_error("extra artifact '" + role + "': cannot read '" + path + "': " + ec.message());
    FOGLINE_ASSIGN_OR_RETURN(std::string digest_of_extra, sha256_file_hex(path));
    // An object the store held before stays when this import fails; one it added goes.
    bool existed = cas.contains(digest_of_extra);
    auto d = cas.put_file(path);
    if (!d.is_ok()) return d.status().with_context("extra artifact '" + role + "'");
    if (!existed && std::find(added.digests.begin(), added.digests.end(), *d) == added.digests.end()) added.digests.push_back(*d);
    artifacts.push_back({role, *d, static_cast<int64_t>(extra_size)});
  }
  auto pause = [ms = options.test_pause_ms] {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  };
  pause();
  NewVersion nv;
  nv.model = name;
  nv.version = options.version;
  nv.parent = options.parent;
  nv.source_url = source.original;
  nv.source_commit = model.commit;
  nv.facts = std::move(facts);
  nv.actor = options.actor;
  nv.processing_spec = options.processing_spec;
  nv.hyperparameters = options.hyperparameters;
  nv.dataset_versions = options.dataset_versions;
  nv.artifacts = std::move(artifacts);
  nv.before_commit = pause;
  auto version = registry.create_version(nv);
  if (!version.is_ok()) return version.status();
  added.keep = true;
  result.version = std::move(version).value();
  return result;
}

}  // namespace fogline::registry
