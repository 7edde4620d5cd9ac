// imagefolder: classification images, either one folder per class (ROOT/CLASS/**/*.jpg, class
// names sorted as torchvision's ImageFolder sorts them, or taken from a classes file), or a
// flat folder plus a labels file: "FILE LABEL [anything]" per line, LABEL a class index or
// name (ROOT/labels.txt and ROOT/images/ by default, as in ../shared/datasets/imagenet-sample-500).
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "data/dataset_formats.h"
#include "data/text_files.h"

namespace fogline::data {

namespace fs = std::filesystem;

namespace {

std::string find_classes_file(const std::string& root, const DatasetOptions& options) {
  if (!options.classes_file.empty()) return under_root(root, options.classes_file);
  return first_existing(root, {"classes.txt", "synset_words.txt", "class_names.txt", "labels_names.txt"});
}

Status load_flat(const std::string& root, const std::string& labels_path, const DatasetOptions& options, Dataset* ds) {
  std::string images_dir = options.images_dir.empty() ? (fs::is_directory(fs::path(root) / "images") ? (fs::path(root) / "images").string() : root)
                                                      : under_root(root, options.images_dir);
  std::string classes_path = find_classes_file(root, options);
  bool fixed_classes = !classes_path.empty();
  if (fixed_classes) {
    FOGLINE_ASSIGN_OR_RETURN(ds->class_names, read_class_names(classes_path));
    ds->files.push_back(relative_path(root, classes_path));
  }
  ds->files.push_back(relative_path(root, labels_path));
  FOGLINE_ASSIGN_OR_RETURN(auto lines, read_lines(labels_path));
  std::map<std::string, int> name_index;
  for (size_t i = 0; i < ds->class_names.size(); ++i) name_index.emplace(ds->class_names[i], static_cast<int>(i));
  struct Pending {
    std::string file;
    std::string label;
    int line;
  };
  std::vector<Pending> pending;
  std::set<std::string> listed;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string t = trim(lines[i]);
    if (t.empty() || t[0] == '#') continue;
    // "FILE LABEL ..." (whitespace) or "FILE,LABEL" (comma).
    std::vector<std::string> f = t.find(',') != std::string::npos && split_whitespace(t).size() < 2
                                     ? std::vector<std::string>{trim(t.substr(0, t.find(','))), trim(t.substr(t.find(',') + 1))}
                                     : split_whitespace(t);
    if (f.size() < 2) {
      add_issue(ds, "bad_line", labels_path, static_cast<int>(i + 1), "expected \"FILE LABEL\", got \"" + t + "\"");
      continue;
    }
    pending.push_back({f[0], f[1], static_cast<int>(i + 1)});
    listed.insert(f[0]);
  }
  if (!fixed_classes) {
    // Names from the labels themselves: numeric labels are indices, names are sorted.
    std::set<std::string> names;
    long long max_index = -1, v;
    for (const auto& p : pending) {
      if (parse_int(p.label, &v)) {
        max_index = std::max(max_index, v);
      } else {
        names.insert(p.label);
      }
    }
    if (names.empty()) {
      for (long long c = 0; c <= max_index; ++c) ds->class_names.push_back(std::to_string(c));
    } else {
      ds->class_names.assign(names.begin(), names.end());
    }
    for (size_t i = 0; i < ds->class_names.size(); ++i) name_index.emplace(ds->class_names[i], static_cast<int>(i));
  }
  for (const auto& p : pending) {
    long long v;
    int label = -1;
    if (parse_int(p.label, &v)) {
      label = v >= 0 && v < static_cast<long long>(ds->class_names.size()) ? static_cast<int>(v) : -1;
    }
    if (label < 0) {
      auto it = name_index.find(p.label);
      if (it != name_index.end()) label = it->second;
    }
    if (label < 0) {
      add_issue(ds, "unknown_class", labels_path, p.line,
                "label \"" + p.label + "\" is not a class" + (fixed_classes ? " of " + relative_path(root, classes_path) : ""));
      continue;
    }
    DatasetItem item;
    item.path = (fs::path(images_dir) / p.file).string();
    if (!fs::is_regular_file(item.path)) {
      add_issue(ds, "missing_image", labels_path, p.line, "image " + relative_path(root, item.path) + " does not exist");
      continue;
    }
    item.relative = relative_path(root, item.path);
    item.image_relative = relative_path(images_dir, item.path);
    item.label = label;
    if (options.read_image_sizes && !read_item_size(ds, &item, item.path, 0)) continue;
    ds->files.push_back(item.relative);
    ds->items.push_back(std::move(item));
  }
  // Images nobody labelled are reported too (a forgotten line must not shrink the test set).
  for (const auto& path : list_images(images_dir)) {
    std::string rel = relative_path(images_dir, path);
    if (!listed.count(rel)) add_issue(ds, "missing_label", path, 0, "image has no line in " + relative_path(root, labels_path));
  }
  return Status::ok();
}

Status load_class_folders(const std::string& root, const DatasetOptions& options, Dataset* ds) {
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory()) dirs.push_back(e.path().filename().string());
  }
  std::sort(dirs.begin(), dirs.end());
  std::string classes_path = find_classes_file(root, options);
  std::map<std::string, int> name_index;
  if (!classes_path.empty()) {
    FOGLINE_ASSIGN_OR_RETURN(ds->class_names, read_class_names(classes_path));
    ds->files.push_back(relative_path(root, classes_path));
  } else {
    ds->class_names = dirs;
  }
  for (size_t i = 0; i < ds->class_names.size(); ++i) name_index.emplace(ds->class_names[i], static_cast<int>(i));
  if (dirs.empty()) return invalid_argument(root + ": no class folders (and no labels.txt): not an imagefolder dataset");
  for (const auto& d : dirs) {
    auto it = name_index.find(d);
    std::string dir = (fs::path(root) / d).string();
    auto images = list_images(dir);
    if (it == name_index.end()) {
      add_issue(ds, "unknown_class", dir, 0,
                "folder \"" + d + "\" is not a class of " + relative_path(root, classes_path) + " (" +
                    std::to_string(images.size()) + " images left out)");
      continue;
    }
    for (const auto& path : images) {
      DatasetItem item;
      item.path = path;
      item.relative = relative_path(root, path);
      item.image_relative = item.relative;
      item.label = it->second;
      if (options.read_image_sizes && !read_item_size(ds, &item, path, 0)) continue;
      ds->files.push_back(item.relative);
      ds->items.push_back(std::move(item));
    }
  }
  return Status::ok();
}

}  // namespace

bool detect_imagefolder(const std::string& root) { return fs::is_directory(root); }

Status load_imagefolder(const std::string& root, const DatasetOptions& options, Dataset* ds) {
  std::string labels = options.labels_file.empty() ? first_existing(root, {"labels.txt", "labels.csv"})
                                                    : under_root(root, options.labels_file);
  if (!options.labels_file.empty() && !fs::is_regular_file(labels)) {
    return not_found("labels file " + labels + " does not exist");
  }
  if (!labels.empty()) return load_flat(root, labels, options, ds);
  return load_class_folders(root, options, ds);
}

}  // namespace fogline::data
