#include "data/dataset.h"

#include <algorithm>
#include <filesystem>

#include "core/sha256.h"
#include "data/dataset_formats.h"
#include "data/json_fields.h"
#include "data/text_files.h"

namespace fogline::data {

namespace fs = std::filesystem;

const char* task_kind_name(TaskKind kind) {
  switch (kind) {
    case TaskKind::kClassification: return "classification";
    case TaskKind::kDetection: return "detection";
    case TaskKind::kRegression: return "regression";
  }
  return "?";
}

std::string Issue::to_string() const {
  std::string s = file;
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": " + kind + ": " + message;
}

Result<SliceSpec> SliceSpec::parse(const std::string& text) {
  auto eq = text.find('=');
  auto colon = text.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos) {
    return invalid_argument("--slice '" + text + "': expected KEY=folder:N, KEY=column:NAME or KEY=sidecar:FIELD");
  }
  SliceSpec s{text.substr(0, eq), text.substr(eq + 1, colon - eq - 1), text.substr(colon + 1)};
  if (s.source != "folder" && s.source != "column" && s.source != "sidecar") {
    return invalid_argument("--slice '" + text + "': unknown source \"" + s.source + "\" (folder, column or sidecar)");
  }
  long long n;
  if (s.source == "folder" && !parse_int(s.argument, &n)) {
    return invalid_argument("--slice '" + text + "': folder:N takes a folder level (0 = first, -1 = last)");
  }
  if (s.argument.empty()) return invalid_argument("--slice '" + text + "': empty " + s.source + " name");
  return s;
}

namespace {

std::string folder_level(const std::string& image_relative, long long level) {
  std::vector<std::string> parts;
  for (const auto& p : fs::path(image_relative).parent_path()) {
    if (!p.empty() && p != ".") parts.push_back(p.string());
  }
  long long n = static_cast<long long>(parts.size());
  long long i = level < 0 ? n + level : level;
  if (i < 0 || i >= n) return kMissingSliceValue;
  return parts[static_cast<size_t>(i)];
}

std::string json_scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return kMissingSliceValue;
  return v.dump();
}

Status apply_slices(const DatasetOptions& options, Dataset* ds) {
  // column: needs the metadata table for image datasets (CSV rows and COCO images carry their own).
  std::map<std::string, std::map<std::string, std::string>> metadata_rows;  // file -> column -> value
  bool need_metadata = false;
  for (const auto& s : options.slices) need_metadata = need_metadata || s.source == "column";
  if (need_metadata) {
    std::string meta = options.metadata_file.empty() ? first_existing(ds->root, {"metadata.csv"}) : under_root(ds->root, options.metadata_file);
    if (!meta.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(CsvTable t, read_csv(meta));
      int file_col = -1;
      for (const char* n : {"file", "image", "path", "filename"}) {
        if ((file_col = t.column(n)) >= 0) break;
      }
      if (file_col < 0) return invalid_argument(meta + ": metadata needs a file, image, path or filename column");
      for (const auto& row : t.rows) {
        auto& m = metadata_rows[fs::path(row[static_cast<size_t>(file_col)]).lexically_normal().generic_string()];
        for (size_t c = 0; c < t.header.size(); ++c) m[t.header[c]] = row[c];
      }
      ds->files.push_back(relative_path(ds->root, meta));
    } else if (!options.metadata_file.empty()) {
      return not_found("metadata file " + options.metadata_file + " does not exist");
    }
  }
  for (const auto& s : options.slices) {
    bool any_column = false;
    for (auto& item : ds->items) {
      std::string value = kMissingSliceValue;
      if (s.source == "folder") {
        long long level = 0;
        parse_int(s.argument, &level);
        value = folder_level(item.image_relative, level);
      } else if (s.source == "column") {
        auto it = item.metadata.find(s.argument);
        if (it != item.metadata.end()) {
          value = it->second, any_column = true;
        } else {
          for (const std::string& key : {item.image_relative, item.relative, fs::path(item.path).filename().string()}) {
            auto row = metadata_rows.find(key);
            if (row == metadata_rows.end()) continue;
            auto col = row->second.find(s.argument);
            if (col != row->second.end()) value = col->second, any_column = true;
            break;
          }
        }
      } else {  // sidecar
        fs::path p(item.path);
        fs::path candidates[] = {fs::path(item.path + ".json"), p.parent_path() / (p.stem().string() + ".json")};
        for (const auto& c : candidates) {
          if (!fs::is_regular_file(c)) continue;
          auto doc = load_json_file(c.string());
          if (!doc.is_ok()) {
            add_issue(ds, "unreadable_file", c.string(), 0, doc.status().message());
            break;
          }
          const nlohmann::json* v = &*doc;
          size_t start = 0;
          while (v && start <= s.argument.size()) {
            size_t dot = s.argument.find('.', start);
            std::string k = s.argument.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            v = v->is_object() && v->contains(k) ? &(*v)[k] : nullptr;
            if (dot == std::string::npos) break;
            start = dot + 1;
          }
          if (v) value = json_scalar(*v);
          if (std::find(ds->files.begin(), ds->files.end(), relative_path(ds->root, c.string())) == ds->files.end()) {
            ds->files.push_back(relative_path(ds->root, c.string()));
          }
          break;
        }
      }
      if (value.empty()) value = kMissingSliceValue;
      item.tags[s.key] = value;
    }
    if (s.source == "column" && !any_column && !ds->items.empty()) {
      return invalid_argument("--slice " + s.key + "=column:" + s.argument + ": no item has a \"" + s.argument +
                              "\" column (metadata.csv in the dataset root, or --metadata)");
    }
  }
  return Status::ok();
}

}  // namespace

Result<Dataset> load_dataset(const std::string& root_in, const DatasetOptions& options) {
  if (!fs::exists(root_in)) return not_found("dataset " + root_in + " does not exist");
  std::string root = fs::path(root_in).lexically_normal().string();
  if (root.size() > 1 && root.back() == '/') root.pop_back();
  const DatasetFormat* format = nullptr;
  for (const auto& f : dataset_formats()) {
    if (options.format.empty() ? f.detect(root) : options.format == f.name) {
      format = &f;
      break;
    }
  }
  if (!format) {
    std::string names;
    for (const auto& f : dataset_formats()) names += std::string(names.empty() ? "" : ", ") + f.name;
    return invalid_argument(options.format.empty() ? root + ": cannot tell the dataset format; pass --format (" + names + ")"
                                                   : "unknown dataset format \"" + options.format + "\" (" + names + ")");
  }
  Dataset ds;
  ds.root = fs::is_regular_file(root) ? fs::path(root).parent_path().string() : root;
  if (ds.root.empty()) ds.root = ".";
  ds.format = format->name;
  ds.task = format->default_task;
  FOGLINE_TRY(format->load(root, options, &ds).with_context(ds.format + " dataset " + root));
  // By file; rows of one CSV file (or entries of one COCO file) keep their order.
  std::sort(ds.items.begin(), ds.items.end(), [](const DatasetItem& a, const DatasetItem& b) {
    return a.path != b.path ? a.relative < b.relative : a.id < b.id;
  });
  if (ds.category_ids.empty()) {
    for (size_t i = 0; i < ds.class_names.size(); ++i) ds.category_ids.push_back(static_cast<int64_t>(i));
  }
  FOGLINE_TRY(apply_slices(options, &ds));
  std::sort(ds.files.begin(), ds.files.end());
  ds.files.erase(std::unique(ds.files.begin(), ds.files.end()), ds.files.end());
  if (options.limit > 0 && static_cast<int64_t>(ds.items.size()) > options.limit) {
    ds.items.resize(static_cast<size_t>(options.limit));
  }
  return ds;
}

std::map<std::string, int64_t> Dataset::issue_counts() const {
  std::map<std::string, int64_t> counts;
  for (const auto& i : issues) ++counts[i.kind];
  return counts;
}

std::map<std::string, int64_t> Dataset::slice_counts(const std::string& key) const {
  std::map<std::string, int64_t> counts;
  for (const auto& item : items) {
    auto it = item.tags.find(key);
    ++counts[it == item.tags.end() ? kMissingSliceValue : it->second];
  }
  return counts;
}

std::vector<std::string> Dataset::slice_keys() const {
  std::vector<std::string> keys;
  for (const auto& item : items) {
    for (const auto& [k, v] : item.tags) {
      if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

int64_t Dataset::box_count() const {
  int64_t n = 0;
  for (const auto& item : items) n += static_cast<int64_t>(item.boxes.size());
  return n;
}

Result<std::string> dataset_content_hash(const Dataset& ds) {
  Sha256 total;
  for (const auto& rel : ds.files) {
    fs::path p = fs::path(rel).is_absolute() ? fs::path(rel) : fs::path(ds.root) / rel;
    FOGLINE_ASSIGN_OR_RETURN(std::string h, sha256_file_hex(p.string()));
    total.update(rel);
    total.update(std::string_view("\0", 1));
    total.update(h);
    total.update("\n");
  }
  return total.finish_hex();
}

nlohmann::json dataset_summary_json(const Dataset& ds, const std::string& content_hash, size_t max_issues) {
  nlohmann::json j;
  j["root"] = ds.root;
  j["format"] = ds.format;
  j["task"] = task_kind_name(ds.task);
  j["items"] = ds.items.size();
  j["files"] = ds.files.size();
  if (!content_hash.empty()) j["content_sha256"] = content_hash;
  j["classes"] = ds.class_names.size();
  if (ds.task == TaskKind::kDetection) j["boxes"] = ds.box_count();
  if (!ds.feature_names.empty()) j["features"] = ds.feature_names;
  nlohmann::json slices = nlohmann::json::object();
  for (const auto& key : ds.slice_keys()) slices[key] = ds.slice_counts(key);
  j["slices"] = slices;
  j["issue_counts"] = ds.issue_counts();
  j["issues_total"] = ds.issues.size();
  nlohmann::json issues = nlohmann::json::array();
  for (size_t i = 0; i < ds.issues.size() && i < max_issues; ++i) {
    const auto& is = ds.issues[i];
    issues.push_back({{"kind", is.kind}, {"file", is.file}, {"line", is.line}, {"message", is.message}});
  }
  j["issues"] = issues;
  return j;
}

}  // namespace fogline::data
