#include "cli/commands/registry_eval.h"

#include <cstdio>
#include <filesystem>
#include <algorithm>
#include <map>

#include "core/file_util.h"
#include "eval/evaluation.h"

namespace fogline::cli {

namespace fs = std::filesystem;

bool is_model_file(const std::string& argument) {
  std::error_code ec;
  if (fs::is_regular_file(argument, ec)) return true;
  return argument.size() > 5 && argument.compare(argument.size() - 5, 5, ".onnx") == 0;
}

Result<std::unique_ptr<engine::Session>> open_version_session(registry::Registry& reg, const registry::VersionRecord& v,
                                                              const engine::SessionOptions& options) {
  const registry::ArtifactRef* model = nullptr;
  std::vector<const registry::ArtifactRef*> external;
  for (const auto& a : v.artifacts) {
    if (a.role == "model") model = &a;
    if (a.role.rfind("external-data:", 0) == 0) external.push_back(&a);
  }
  if (!model) return not_found(v.ref() + " has no model artifact");
  auto& cas = reg.home().cas();
  FOGLINE_ASSIGN_OR_RETURN(std::string bytes, cas.read(model->digest));
  if (external.empty()) return engine::Session::from_bytes(bytes, options);
  // The engine finds external data by file name next to the model, so lay them out that way.
  // The model's own file name must not be one of its data files' locations.
  std::string model_name = "model.onnx";
  for (bool clash = true; clash;) {
    clash = false;
    for (const auto* a : external) clash = clash || a->role == "external-data:" + model_name;
    if (clash) model_name = "_" + model_name;
  }
  FOGLINE_ASSIGN_OR_RETURN(std::string dir, reg.home().new_work_dir("eval"));
  auto opened = [&]() -> Result<std::unique_ptr<engine::Session>> {
    FOGLINE_TRY(write_file_atomic(dir + "/" + model_name, bytes));
    for (const auto* a : external) {
      std::string name = a->role.substr(std::string("external-data:").size());
      if (name.empty() || name.find("..") != std::string::npos) return invalid_argument(v.ref() + ": bad artifact role " + a->role);
      FOGLINE_ASSIGN_OR_RETURN(std::string data, cas.read(a->digest));
      fs::create_directories(fs::path(dir + "/" + name).parent_path());
      FOGLINE_TRY(write_file_atomic(dir + "/" + name, data));
    }
    return engine::Session::open(dir + "/" + model_name, options);
  }();
  std::error_code ec;
  fs::remove_all(dir, ec);
  return opened;
}

Result<processing::ProcessingSpec> version_spec(const registry::VersionRecord& v, bool* stored) {
  *stored = v.processing_spec.is_object() && !v.processing_spec.empty();
  if (!*stored) return processing::ProcessingSpec{};
  auto spec = processing::ProcessingSpec::from_json(v.processing_spec);
  if (!spec.is_ok()) return invalid_argument(v.ref() + ": the stored processing spec: " + spec.status().message());
  return spec;
}

std::string dataset_record_name(const std::string& given, const std::string& path) {
  if (!given.empty()) return given;
  fs::path p(path);
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // "cams/" -> "cams"
  std::string name = p.filename().string();
  return name.empty() || name == "." ? path : name;
}

std::string dataset_record_version(const std::string& content_hash) { return "sha256:" + content_hash; }

namespace {

std::string absolute_if_exists(const std::string& path) {
  std::error_code ec;
  if (path.empty() || !fs::exists(path, ec)) return path;
  return fs::absolute(path, ec).lexically_normal().string();
}

std::string slice_text(const data::SliceSpec& s) { return s.key + "=" + s.source + ":" + s.argument; }

}  // namespace

registry::NewDatasetVersion dataset_version_record(const std::string& name, const data::Dataset& ds, const std::string& hash,
                                                   const data::DatasetOptions& o) {
  registry::NewDatasetVersion v;
  v.name = name;
  v.content_sha256 = hash;
  v.format = ds.format;
  v.task = data::task_kind_name(ds.task);
  v.path = absolute_if_exists(ds.root);
  v.items = static_cast<int64_t>(ds.items.size());
  v.files = static_cast<int64_t>(ds.files.size());
  v.boxes = ds.box_count();
  v.issues = static_cast<int64_t>(ds.issues.size());
  v.classes = ds.class_names;
  for (const auto& key : ds.slice_keys()) v.slices[key] = ds.slice_counts(key);
  for (const auto& [kind, count] : ds.issue_counts()) v.issue_counts[kind] = count;
  nlohmann::json lo{{"format", ds.format}, {"slices", nlohmann::json::array()}};
  for (const auto& s : o.slices) lo["slices"].push_back(slice_text(s));
  const std::pair<const char*, const std::string*> fields[] = {
      {"labels_file", &o.labels_file},     {"classes_file", &o.classes_file}, {"annotations", &o.annotations},
      {"images_dir", &o.images_dir},       {"metadata_file", &o.metadata_file}, {"target_column", &o.target_column},
      {"window_column", &o.window_column}};
  for (const auto& [key, value] : fields) {
    if (value->empty()) continue;
    bool file = std::string(key).find("column") == std::string::npos;
    lo[key] = file ? absolute_if_exists(*value) : *value;
  }
  v.load_options = lo;
  return v;
}

Result<ResolvedDataset> resolve_dataset(registry::Registry* reg, const std::string& argument, const std::string& given_name,
                                        const data::DatasetOptions& options) {
  ResolvedDataset out;
  std::error_code ec;
  if (fs::exists(argument, ec) || !reg) {
    FOGLINE_ASSIGN_OR_RETURN(out.dataset, data::load_dataset(argument, options));
    FOGLINE_ASSIGN_OR_RETURN(std::string hash, data::dataset_content_hash(out.dataset));
    out.record_name = dataset_record_name(given_name, argument);
    out.record_version = dataset_record_version(hash);
    return out;
  }
  auto registered = registry::get_dataset_version(*reg, argument);
  if (!registered.is_ok()) {
    return not_found("dataset '" + argument + "' is neither a folder or file nor a registered dataset: " +
                     registered.status().message());
  }
  const registry::DatasetVersionRecord& r = *registered;
  data::DatasetOptions o = options;
  const nlohmann::json& lo = r.load_options;
  try {
    if (o.format.empty()) o.format = lo.value("format", "");
    std::string* fields[] = {&o.labels_file, &o.classes_file, &o.annotations, &o.images_dir,
                             &o.metadata_file, &o.target_column, &o.window_column};
    const char* keys[] = {"labels_file", "classes_file", "annotations", "images_dir", "metadata_file", "target_column", "window_column"};
    for (size_t i = 0; i < 7; ++i)
      if (fields[i]->empty()) *fields[i] = lo.value(keys[i], "");
    std::vector<data::SliceSpec> slices;
    for (const auto& text : lo.value("slices", nlohmann::json::array())) {
      FOGLINE_ASSIGN_OR_RETURN(data::SliceSpec s, data::SliceSpec::parse(text.get<std::string>()));
      slices.push_back(s);
    }
    for (const auto& s : o.slices) {  // extra definitions from the command line win
      slices.erase(std::remove_if(slices.begin(), slices.end(), [&](const data::SliceSpec& x) { return x.key == s.key; }),
                   slices.end());
      slices.push_back(s);
    }
    o.slices = slices;
  } catch (const std::exception& e) {
    return internal_error("dataset " + r.ref() + ": stored load options are malformed: " + e.what());
  }
  auto loaded = data::load_dataset(r.path, o);
  if (!loaded.is_ok()) return loaded.status().with_context("dataset " + r.ref() + " at " + r.path);
  out.dataset = std::move(loaded).value();
  FOGLINE_ASSIGN_OR_RETURN(std::string hash, data::dataset_content_hash(out.dataset));
  if (dataset_record_version(hash) != r.version) {
    return invalid_argument("dataset " + r.ref() + " is " + r.version + " but its files at " + r.path + " now hash to sha256:" + hash +
                            " (changed since `fogline data add`, or a --slice read files the version does not have;"
                            " add it again to make a new version)");
  }
  out.record_name = given_name.empty() ? r.name : given_name;
  out.record_version = r.version;
  out.registered_ref = r.ref();
  return out;
}

namespace {

nlohmann::json scalars_of(const nlohmann::json& metrics) {
  nlohmann::json out = nlohmann::json::object();
  if (!metrics.is_object()) return out;
  for (const auto& [k, v] : metrics.items()) {
    if (v.is_number()) out[k] = v;
  }
  return out;
}

}  // namespace

std::vector<registry::SliceMetrics> report_to_slice_metrics(const nlohmann::json& report) {
  std::vector<registry::SliceMetrics> rows;
  registry::SliceMetrics overall;
  overall.metrics = scalars_of(report.value("overall", nlohmann::json::object()));
  overall.metrics["items"] = report.value("items", 0);
  const nlohmann::json latency = report.value("latency", nlohmann::json::object());
  for (const char* k : {"p50_ms", "p90_ms", "items_per_second"}) {
    if (latency.contains(k) && latency[k].is_number()) overall.metrics[std::string("latency_") + k] = latency[k];
  }
  overall.metrics["primary_metric"] = report.value("primary_metric", "");
  overall.metrics["task"] = report.value("task", "");
  rows.push_back(overall);
  const nlohmann::json slices = report.value("slices", nlohmann::json::object());
  for (const auto& [key, values] : slices.items()) {
    for (const auto& [value, metrics] : values.items()) rows.push_back({key, value, scalars_of(metrics)});
  }
  return rows;
}

Result<nlohmann::json> report_from_records(const std::vector<registry::MetricRecord>& records, const std::string& dataset_version) {
  nlohmann::json report{{"overall", nullptr}, {"slices", nlohmann::json::object()}};
  for (const auto& r : records) {
    if (r.dataset_version != dataset_version) continue;
    if (r.slice.slice_key.empty()) {
      report["overall"] = r.slice.metrics;
      report["primary_metric"] = r.slice.metrics.value("primary_metric", "");
    } else {
      report["slices"][r.slice.slice_key][r.slice.slice_value] = r.slice.metrics;
    }
  }
  if (report["overall"].is_null()) return not_found("no metrics recorded for dataset version " + dataset_version);
  return report;
}

Result<nlohmann::json> evaluate_version(registry::Registry& reg, const registry::VersionRecord& v, const data::Dataset& ds,
                                        const VersionEvalOptions& options) {
  bool stored = false;
  FOGLINE_ASSIGN_OR_RETURN(processing::ProcessingSpec spec, version_spec(v, &stored));
  if (!stored) {
    if (ds.task == data::TaskKind::kRegression) spec.post.kind = processing::PostprocessKind::kRegression;
    if (ds.task == data::TaskKind::kDetection) {
      return invalid_argument(v.ref() + " has no processing spec and the dataset is a detection dataset; store one that names "
                              "the decoder (model import --spec) or run fogline eval with --spec");
    }
  }
  engine::SessionOptions so;
  so.threads = options.threads;
  FOGLINE_ASSIGN_OR_RETURN(auto session, open_version_session(reg, v, so));
  eval::EvaluationOptions eo;
  eo.spec = spec;
  eo.slice_keys = options.slice_keys;
  int last_decile = -1;
  const std::string ref = v.ref();
  if (options.progress) {
    eo.progress = [&](int64_t done, int64_t total) {
      int decile = total > 0 ? static_cast<int>(10 * done / total) : 10;
      if (decile == last_decile) return;
      last_decile = decile;
      std::fprintf(stderr, "[eval %s] %lld/%lld\n", ref.c_str(), static_cast<long long>(done), static_cast<long long>(total));
    };
  }
  auto report = eval::evaluate_model(*session, ds, eo);
  if (!report.is_ok()) return invalid_argument(ref + ": " + report.status().message());
  if (!report->errors.empty()) {
    return invalid_argument(ref + ": " + std::to_string(report->errors.size()) + " items could not be evaluated (first: " +
                            report->errors[0] + ")");
  }
  return report->to_json();
}

}  // namespace fogline::cli
