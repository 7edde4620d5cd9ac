// csv: a table with a header (ROOT itself when it is a .csv file, else ROOT/data.csv or the
// only .csv in ROOT). With a file/image/path column each row is an image and the target column
// its class (index or name); without one each row is a sample of numeric features (tabular
// data or a flattened sensor window) and the target column a regression value, or a class when
// --classes is given or the target is not numeric.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "data/dataset_formats.h"
#include "data/text_files.h"

namespace fogline::data {

namespace fs = std::filesystem;

namespace {

std::string find_csv(const std::string& root) {
  if (fs::is_regular_file(root)) return root;
  std::string data = first_existing(root, {"data.csv"});
  if (!data.empty()) return data;
  std::vector<std::string> csvs;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ".csv" && e.path().filename() != "metadata.csv") {
      csvs.push_back(e.path().string());
    }
  }
  return csvs.size() == 1 ? csvs[0] : "";
}

// Sensor windows in long format: consecutive or scattered rows with the same window id become
// one item whose features are the rows' features in file order. Every row of a window must
// carry the same label/target, and every window the same length (a model takes a fixed input);
// windows that break either rule are reported and left out.
void group_windows(Dataset* ds, const std::string& column, const std::string& path, const CsvTable& table, bool classify) {
  std::vector<DatasetItem> windows;
  std::map<std::string, size_t> index;
  std::set<size_t> broken;
  for (auto& item : ds->items) {
    const std::string w = item.metadata[column];
    int line = table.row_lines[static_cast<size_t>(item.id)];
    auto found = index.find(w);
    if (found == index.end()) {
      index.emplace(w, windows.size());
      item.relative = relative_path(ds->root, path) + "#" + column + "=" + w;
      windows.push_back(std::move(item));
      continue;
    }
    DatasetItem& win = windows[found->second];
    bool same = classify ? win.label == item.label : win.target == item.target;
    if (!same) {
      add_issue(ds, "bad_line", path, line, "window " + w + ": the label/target differs from the window's first row");
      broken.insert(found->second);
      continue;
    }
    win.features.insert(win.features.end(), item.features.begin(), item.features.end());
  }
  std::map<size_t, int> lengths;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (!broken.count(i)) ++lengths[windows[i].features.size()];
  }
  size_t common = 0;  // the most common length (the longer one on a tie)
  int best = 0;
  for (const auto& [len, count] : lengths) {
    if (count >= best) best = count, common = len;
  }
  std::vector<DatasetItem> kept;
  for (size_t i = 0; i < windows.size(); ++i) {
    if (broken.count(i)) continue;
    if (windows[i].features.size() != common) {
      add_issue(ds, "bad_window", path, table.row_lines[static_cast<size_t>(windows[i].id)],
                "window " + windows[i].metadata[column] + " has " + std::to_string(windows[i].features.size()) +
                    " values, the others " + std::to_string(common));
      continue;
    }
    kept.push_back(std::move(windows[i]));
  }
  ds->items = std::move(kept);
}

}  // namespace

bool detect_csv(const std::string& root) {
  if (fs::is_regular_file(root)) return fs::path(root).extension() == ".csv";
  return fs::is_directory(root) && !find_csv(root).empty() && list_images(root).empty();
}

Status load_csv(const std::string& root_in, const DatasetOptions& options, Dataset* ds) {
  std::string path = find_csv(root_in);
  if (path.empty()) return not_found(root_in + ": no CSV file (data.csv or exactly one *.csv)");
  std::string root = fs::is_regular_file(root_in) ? fs::path(root_in).parent_path().string() : root_in;
  if (root.empty()) root = ".";
  ds->root = root;
  FOGLINE_ASSIGN_OR_RETURN(CsvTable table, read_csv(path));
  ds->files.push_back(relative_path(root, path));
  int target = -1;
  std::string target_name = options.target_column;
  if (target_name.empty()) {
    for (const char* n : {"target", "label", "y", "class"}) {
      if (table.column(n) >= 0) {
        target_name = n;
        break;
      }
    }
  }
  target = table.column(target_name);
  if (target < 0) {
    return invalid_argument(path + ": no target column" + (target_name.empty() ? std::string(" (target, label, y or class); pass --target") : " \"" + target_name + "\""));
  }
  int file_col = -1;
  for (const char* n : {"file", "image", "path", "filename"}) {
    if ((file_col = table.column(n)) >= 0) break;
  }
  // Columns used by slices are tags, not features.
  std::set<int> slice_cols;
  for (const auto& s : options.slices) {
    if (s.source == "column" && table.column(s.argument) >= 0) slice_cols.insert(table.column(s.argument));
  }
  int window_col = -1;
  if (!options.window_column.empty()) {
    window_col = table.column(options.window_column);
    if (window_col < 0) return invalid_argument(path + ": no window column \"" + options.window_column + "\"");
    if (file_col >= 0) return invalid_argument(path + ": --window applies to feature rows, not image rows");
    slice_cols.insert(window_col);
  }
  // Classification when a class list is given, the rows are images, or the target is not numeric.
  bool numeric_target = true;
  for (const auto& row : table.rows) {
    double d;
    if (!parse_double(row[static_cast<size_t>(target)], &d)) numeric_target = false;
  }
  bool classify = !options.classes_file.empty() || file_col >= 0 || !numeric_target;
  ds->task = classify ? TaskKind::kClassification : TaskKind::kRegression;
  std::map<std::string, int> class_index;
  if (!options.classes_file.empty()) {
    std::string cf = under_root(root, options.classes_file);
    FOGLINE_ASSIGN_OR_RETURN(ds->class_names, read_class_names(cf));
    ds->files.push_back(relative_path(root, cf));
  } else if (classify) {
    std::set<std::string> names;
    long long max_index = -1, v;
    bool all_int = true;
    for (const auto& row : table.rows) {
      const std::string& t = row[static_cast<size_t>(target)];
      if (parse_int(t, &v) && v >= 0) {
        max_index = std::max(max_index, v);
      } else {
        all_int = false;
        names.insert(trim(t));
      }
    }
    if (all_int) {
      for (long long c = 0; c <= max_index; ++c) ds->class_names.push_back(std::to_string(c));
    } else {
      ds->class_names.assign(names.begin(), names.end());
    }
  }
  for (size_t i = 0; i < ds->class_names.size(); ++i) class_index.emplace(ds->class_names[i], static_cast<int>(i));
  std::vector<int> feature_cols;
  if (file_col < 0) {
    for (size_t c = 0; c < table.header.size(); ++c) {
      int ci = static_cast<int>(c);
      if (ci == target || slice_cols.count(ci)) continue;
      bool numeric = true;
      for (const auto& row : table.rows) {
        double d;
        if (!parse_double(row[c], &d)) { numeric = false; break; }
      }
      if (numeric) {
        feature_cols.push_back(ci);
        ds->feature_names.push_back(table.header[c]);
      }
    }
  }
  for (size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    int line = table.row_lines[r];
    DatasetItem item;
    item.id = static_cast<int64_t>(r);
    for (size_t c = 0; c < table.header.size(); ++c) item.metadata[table.header[c]] = row[c];
    const std::string& t = row[static_cast<size_t>(target)];
    if (classify) {
      long long v;
      auto it = class_index.find(trim(t));
      if (it != class_index.end()) {
        item.label = it->second;
      } else if (parse_int(t, &v) && v >= 0 && v < static_cast<long long>(ds->class_names.size())) {
        item.label = static_cast<int>(v);
      } else {
        add_issue(ds, "unknown_class", path, line, "label \"" + t + "\" is not a class");
        continue;
      }
    } else if (!parse_double(t, &item.target) || !std::isfinite(item.target)) {
      add_issue(ds, "bad_line", path, line, "target \"" + t + "\" is not a number");
      continue;
    }
    if (file_col >= 0) {
      item.path = under_root(root, row[static_cast<size_t>(file_col)]);
      if (!fs::is_regular_file(item.path)) {
        add_issue(ds, "missing_image", path, line, "image " + row[static_cast<size_t>(file_col)] + " does not exist");
        continue;
      }
      item.relative = relative_path(root, item.path);
      item.image_relative = item.relative;
      if (options.read_image_sizes && !read_item_size(ds, &item, path, line)) continue;
      ds->files.push_back(item.relative);
    } else {
      item.path = path;
      item.relative = relative_path(root, path) + ":" + std::to_string(line);
      for (int c : feature_cols) {
        double d = 0;
        parse_double(row[static_cast<size_t>(c)], &d);
        item.features.push_back(d);
      }
    }
    ds->items.push_back(std::move(item));
  }
  if (window_col >= 0) group_windows(ds, options.window_column, path, table, classify);
  return Status::ok();
}

}  // namespace fogline::data
