// fogline data add NAME PATH --format imagefolder|coco|yolo|csv [--slice KEY=SOURCE]: loads
// and validates a dataset, prints its summary (items, classes, slices, content hash, every
// kind of bad annotation with a count and the first ones with file and line) and registers it
// in the home's registry as a content-hashed version of NAME (the same content again is the
// same version; `--dry-run` only validates). `fogline eval MODEL NAME` then loads it by name.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/registry_eval.h"
#include "data/dataset.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class DataAddCommand : public Command {
 public:
  const char* name() const override { return "data add"; }
  const char* summary() const override { return "Validate a dataset (image folders, COCO, YOLO, CSV) and print its summary"; }
  void configure(CLI::App& app) override {
    app.add_option("name", name_, "the dataset's name")->required();
    app.add_option("path", path_, "the dataset's folder (or CSV file)")->required();
    app.add_option("--format", options_.format, "imagefolder, coco, yolo or csv (default: detected from the layout)");
    app.add_option("--slice", slices_, "KEY=folder:N | KEY=column:NAME | KEY=sidecar:FIELD (repeatable)");
    app.add_option("--labels", options_.labels_file, "imagefolder: labels file (FILE LABEL per line)");
    app.add_option("--classes", options_.classes_file, "class names file");
    app.add_option("--annotations", options_.annotations, "coco: instances JSON");
    app.add_option("--images", options_.images_dir, "the images folder (default images/)");
    app.add_option("--metadata", options_.metadata_file, "CSV with a file column, for column: slices");
    app.add_option("--target", options_.target_column, "csv: the target column");
    app.add_option("--window", options_.window_column, "csv: rows sharing this column form one sensor window");
    app.add_option("--show-issues", max_issues_, "issues to list")->default_val(20);
    app.add_flag("--json", json_, "print the summary as JSON");
    app.add_flag("--strict", strict_, "exit non-zero when any annotation is bad (and do not register it)");
    app.add_flag("--dry-run", dry_run_, "validate and summarise only; register nothing");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    for (const auto& s : slices_) {
      auto spec = data::SliceSpec::parse(s);
      if (!spec.is_ok()) return fail(spec.status().message());
      options_.slices.push_back(*spec);
    }
    auto ds = data::load_dataset(path_, options_);
    if (!ds.is_ok()) return fail(ds.status().message());
    auto hash = data::dataset_content_hash(*ds);
    if (!hash.is_ok()) return fail(hash.status().message());
    auto summary = data::dataset_summary_json(*ds, *hash, static_cast<size_t>(max_issues_));
    summary["name"] = name_;
    // Registered unless only asked to validate, or --strict found bad annotations.
    std::string registered;
    if (!dry_run_ && !(strict_ && !ds->issues.empty())) {
      auto opened = registry::open_registry(home_);
      if (!opened.is_ok()) return fail(opened.status().message());
      auto r = registry::register_dataset_version(*opened->registry, dataset_version_record(name_, *ds, *hash, options_));
      if (!r.is_ok()) return fail(r.status().message());
      summary["registered"] = {{"ref", r->version.ref()}, {"version", r->version.version}, {"created", r->created}};
      registered = (r->created ? "added    " : "existing ") + r->version.ref() + " (sha256:" + hash->substr(0, 16) + ")" +
                   (r->created ? "" : ": this content was already registered");
    }
    if (json_) {
      std::printf("%s\n", summary.dump(2).c_str());
    } else {
      std::printf("dataset   %s\n", name_.c_str());
      std::printf("path      %s\n", ds->root.c_str());
      std::printf("format    %s (%s)\n", ds->format.c_str(), data::task_kind_name(ds->task));
      std::printf("items     %zu", ds->items.size());
      if (ds->task == data::TaskKind::kDetection) std::printf(", %lld boxes", static_cast<long long>(ds->box_count()));
      std::printf("\nclasses   %zu", ds->class_names.size());
      for (size_t i = 0; i < ds->class_names.size() && i < 5; ++i) std::printf("%s%s", i ? ", " : " (", ds->class_names[i].c_str());
      std::printf("%s\n", ds->class_names.size() > 5 ? ", ...)" : ds->class_names.empty() ? "" : ")");
      std::printf("files     %zu\nversion   sha256:%s\n", ds->files.size(), hash->c_str());
      for (const auto& key : ds->slice_keys()) {
        std::printf("slice     %s:", key.c_str());
        for (const auto& [value, count] : ds->slice_counts(key)) std::printf(" %s=%lld", value.c_str(), static_cast<long long>(count));
        std::printf("\n");
      }
      auto counts = ds->issue_counts();
      std::printf("issues    %zu", ds->issues.size());
      for (const auto& [kind, count] : counts) std::printf("%s%s %lld", kind == counts.begin()->first ? " (" : ", ", kind.c_str(), static_cast<long long>(count));
      std::printf("%s\n", counts.empty() ? "" : ")");
      for (size_t i = 0; i < ds->issues.size() && i < static_cast<size_t>(max_issues_); ++i) {
        std::printf("  %s\n", ds->issues[i].to_string().c_str());
      }
      if (ds->issues.size() > static_cast<size_t>(max_issues_)) {
        std::printf("  ... %zu more (--show-issues N)\n", ds->issues.size() - static_cast<size_t>(max_issues_));
      }
      if (!registered.empty()) std::printf("registry  %s\n", registered.c_str());
    }
    return strict_ && !ds->issues.empty() ? 1 : 0;
  }

 private:
  std::string name_, path_;
  std::vector<std::string> slices_;
  data::DatasetOptions options_;
  int max_issues_ = 20;
  bool json_ = false, strict_ = false, dry_run_ = false;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DataAddCommand);

}  // namespace fogline::cli
