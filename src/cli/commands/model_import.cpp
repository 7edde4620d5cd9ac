// fogline model import SOURCE: a model from a path, an http(s) URL, GitHub, Hugging Face or any
// git server (Git LFS resolved), verified, checked by the engine and kept as a new version.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "cli/command.h"
#include "core/file_util.h"
#include "registry/importer.h"
#include "registry/datasets.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelImportCommand : public Command {
 public:
  const char* name() const override { return "model import"; }
  const char* summary() const override {
    return "Import a model from a path, http(s) URL, github:, hf: or git+URL#PATH@REF as a new version";
  }
  void configure(CLI::App& app) override {
    app.add_option("source", source_,
                   "PATH | http(s)://... | https://github.com/O/R/blob/REF/PATH | github:O/R/PATH@REF | "
                   "hf:O/R/PATH@REV | git+URL#PATH@REF")
        ->required();
    app.add_option("--name", options_.name, "model name (default: the file name)");
    app.add_option("--version", options_.version, "version (default: the next integer)");
    app.add_option("--sha256", options_.sha256, "refuse the file unless it has this SHA-256");
    app.add_option("--parent", options_.parent, "the version this one derives from (VERSION or MODEL@VERSION)");
    app.add_option("--spec", spec_file_, "JSON file: the pre/postprocessing spec the model needs");
    app.add_option("--param", params_, "hyper-parameter of the lineage, KEY=VALUE (repeatable)");
    app.add_option("--dataset", datasets_,
                   "dataset version the model was trained on: a registered NAME[@N] or NAME=VERSION (repeatable)");
    app.add_option("--artifact", artifacts_,
                   "another file kept with the version, ROLE=FILE (repeatable); variant:KEY=FILE adds a variant "
                   "nodes time at activation (docs/node.md)");
    app.add_option("--lfs-url", options_.lfs_url, "Git LFS server (default: discovered from the origin)");
    app.add_option("--github-url", options_.bases.github, "GitHub base URL (or $FOGLINE_GITHUB_URL)");
    app.add_option("--github-raw-url", options_.bases.github_raw, "raw.githubusercontent.com base URL (or $FOGLINE_GITHUB_RAW_URL)");
    app.add_option("--hf-url", options_.bases.huggingface, "Hugging Face base URL (or $FOGLINE_HF_URL)");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print the new version as JSON");
  }
  int run() override {
    if (const char* pause = std::getenv("FOGLINE_IMPORT_TEST_PAUSE_MS")) options_.test_pause_ms = std::atoi(pause);
    if (!spec_file_.empty()) {
      auto text = read_file(spec_file_, 1 << 20);
      if (!text.is_ok()) return fail(text.status().message());
      try {
        options_.processing_spec = nlohmann::json::parse(*text);
      } catch (const std::exception& e) {
        return fail("--spec '" + spec_file_ + "' is not JSON: " + e.what());
      }
      if (!options_.processing_spec.is_object()) return fail("--spec '" + spec_file_ + "' must hold a JSON object");
    }
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    // A registered dataset named without "=" is recorded as its content-hash version.
    std::vector<std::string> datasets;
    for (const std::string& d : datasets_) {
      if (d.find('=') != std::string::npos) {
        datasets.push_back(d);
        continue;
      }
      auto v = registry::get_dataset_version(*opened->registry, d);
      if (!v.is_ok()) return fail("--dataset '" + d + "': " + v.status().message());
      datasets.push_back(v->name + "=" + v->version);
    }
    for (const auto& [flag, pairs, target] : {std::tuple{"--param", &params_, &options_.hyperparameters},
                                              std::tuple{"--dataset", &datasets, &options_.dataset_versions}}) {
      for (const std::string& kv : *pairs) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0) return fail(std::string(flag) + " '" + kv + "' is not KEY=VALUE");
        // Numbers stay numbers so that `model diff` and later tools compare them as such.
        std::string value = kv.substr(eq + 1);
        nlohmann::json parsed = nlohmann::json::parse(value, nullptr, false);
        (*target)[kv.substr(0, eq)] = parsed.is_number() || parsed.is_boolean() ? parsed : nlohmann::json(value);
      }
    }
    for (const std::string& kv : artifacts_) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == kv.size()) return fail("--artifact '" + kv + "' is not ROLE=FILE");
      options_.extra_artifacts.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
    }
    bool tty = ::isatty(2);
    if (tty) {
      options_.progress = [](const std::string& stage, int64_t done, int64_t total) {
        if (total > 0)
          std::fprintf(stderr, "\r%-8s %.1f / %.1f MB (%3.0f%%)   ", stage.c_str(), done / 1e6, total / 1e6, 100.0 * done / total);
        else
          std::fprintf(stderr, "\r%-8s %.1f MB            ", stage.c_str(), done / 1e6);
      };
    }
    auto result = registry::import_model(*opened->registry, source_, options_);
    if (tty) std::fprintf(stderr, "\r%60s\r", "");
    if (!result.is_ok()) return fail(result.status().message());
    const registry::VersionRecord& v = result->version;
    if (json_) {
      nlohmann::json doc = {{"model", v.model}, {"version", v.version}, {"source", v.source_url}, {"commit", v.source_commit},
                            {"lfs", result->lfs}, {"resumed", result->resumed}, {"facts", v.facts}};
      for (const auto& a : v.artifacts) doc["artifacts"][a.role] = a.digest;
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    std::printf("imported %s (%s%s%s)\n", v.ref().c_str(), v.artifacts.empty() ? "" : v.artifacts[0].digest.substr(0, 12).c_str(),
                result->lfs ? ", via Git LFS" : "", result->resumed ? ", resumed" : "");
    if (!v.source_commit.empty()) std::printf("  commit      %s\n", v.source_commit.c_str());
    if (v.artifacts.size() > 1) std::printf("  artifacts   %zu (the model and its external data files)\n", v.artifacts.size());
    std::printf("  parameters  %s, FLOPs %s\n", v.facts.value("parameters", nlohmann::json()).dump().c_str(),
                v.facts.value("flops", nlohmann::json()).dump().c_str());
    auto unsupported = v.facts.value("unsupported_ops", nlohmann::json::array());
    if (!unsupported.empty()) std::printf("  warning: the engine cannot run %zu ops (see fogline model show)\n", unsupported.size());
    return 0;
  }

 private:
  std::string source_, spec_file_;
  std::vector<std::string> params_, datasets_, artifacts_;
  registry::ImportOptions options_;
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelImportCommand);

}  // namespace fogline::cli
