// yolo: ROOT/images/**/X.jpg with ROOT/labels/**/X.txt beside it ("CLASS CX CY W H" per line,
// normalised to the image size; a polygon "CLASS X1 Y1 X2 Y2 ..." is reduced to its box), and
// the class names in classes.txt, *.names, coco_classes.txt or a data/config YAML's names:.
// An image without a label file has no objects (a background image), which is not an error.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "data/dataset_formats.h"
#include "data/text_files.h"

namespace fogline::data {

namespace fs = std::filesystem;

namespace {

std::string find_names_file(const std::string& root, const DatasetOptions& options) {
  if (!options.classes_file.empty()) return under_root(root, options.classes_file);
  std::string f = first_existing(root, {"classes.txt", "obj.names", "coco.names", "coco_classes.txt", "data.yaml",
                                        "config.yaml", "dataset.yaml"});
  if (!f.empty()) return f;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.path().extension() == ".names") return e.path().string();
  }
  return "";
}

}  // namespace

bool detect_yolo(const std::string& root) {
  return fs::is_directory(fs::path(root) / "images") && fs::is_directory(fs::path(root) / "labels");
}

Status load_yolo(const std::string& root, const DatasetOptions& options, Dataset* ds) {
  std::string images_dir = options.images_dir.empty() ? (fs::path(root) / "images").string() : under_root(root, options.images_dir);
  std::string labels_dir = (fs::path(images_dir).parent_path() / "labels").string();
  if (!fs::is_directory(images_dir)) return not_found(root + ": no images/ folder (YOLO layout: images/ and labels/)");
  std::string names_path = find_names_file(root, options);
  if (names_path.empty()) {
    return not_found(root + ": no class names file (classes.txt, *.names, data.yaml or config.yaml); pass --classes");
  }
  FOGLINE_ASSIGN_OR_RETURN(ds->class_names, read_class_names(names_path));
  ds->files.push_back(relative_path(root, names_path));
  const int num_classes = static_cast<int>(ds->class_names.size());

  std::set<std::string> label_files_used;
  auto images = list_images(images_dir);
  for (size_t n = 0; n < images.size(); ++n) {
    DatasetItem item;
    item.path = images[n];
    item.relative = relative_path(root, item.path);
    item.image_relative = relative_path(images_dir, item.path);
    item.id = static_cast<int64_t>(n);
    fs::path label = fs::path(labels_dir) / fs::path(item.image_relative).replace_extension(".txt");
    bool has_label = fs::is_regular_file(label);
    if (has_label) label_files_used.insert(fs::weakly_canonical(label).string());
    // Normalised coordinates need the image size; an unreadable image is reported and left out.
    if (!read_item_size(ds, &item, item.path, 0)) continue;
    ds->files.push_back(item.relative);
    if (has_label) {
      std::string label_path = label.string();
      ds->files.push_back(relative_path(root, label_path));
      auto lines = read_lines(label_path);
      if (!lines.is_ok()) {
        add_issue(ds, "unreadable_file", label_path, 0, lines.status().message());
      } else {
        for (size_t i = 0; i < lines->size(); ++i) {
          std::string t = trim((*lines)[i]);
          if (t.empty()) continue;
          int line = static_cast<int>(i + 1);
          auto f = split_whitespace(t);
          std::vector<double> v;
          long long cls;
          bool ok = f.size() >= 5 && parse_int(f[0], &cls);
          for (size_t k = 1; ok && k < f.size(); ++k) {
            double d;
            ok = parse_double(f[k], &d) && std::isfinite(d);
            v.push_back(d);
          }
          if (!ok || (f.size() > 5 && v.size() % 2 != 0)) {
            add_issue(ds, "bad_line", label_path, line, "expected \"CLASS CX CY W H\" (normalised), got \"" + t + "\"");
            continue;
          }
          if (cls < 0 || cls >= num_classes) {
            add_issue(ds, "unknown_class", label_path, line,
                      "class " + std::to_string(cls) + " is not in " + relative_path(root, names_path) + " (0.." +
                          std::to_string(num_classes - 1) + ")");
            continue;
          }
          double cx, cy, w, h;
          if (f.size() == 5) {
            cx = v[0], cy = v[1], w = v[2], h = v[3];
          } else {  // polygon: its bounding box
            double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
            for (size_t k = 0; k + 1 < v.size(); k += 2) {
              x0 = std::min(x0, v[k]), x1 = std::max(x1, v[k]), y0 = std::min(y0, v[k + 1]), y1 = std::max(y1, v[k + 1]);
            }
            cx = (x0 + x1) / 2, cy = (y0 + y1) / 2, w = x1 - x0, h = y1 - y0;
          }
          BoxAnnotation b;
          b.class_index = static_cast<int>(cls);
          b.w = w * item.width, b.h = h * item.height;
          b.x = cx * item.width - b.w / 2, b.y = cy * item.height - b.h / 2;
          b.area = b.w * b.h;
          if (check_box(ds, &b, item.width, item.height, label_path, line)) item.boxes.push_back(b);
        }
      }
    }
    ds->items.push_back(std::move(item));
  }
  // Label files whose image is missing: their boxes would otherwise vanish without a word.
  if (fs::is_directory(labels_dir)) {
    std::vector<std::string> orphans;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(labels_dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file() || it->path().extension() != ".txt") continue;
      if (!label_files_used.count(fs::weakly_canonical(it->path()).string())) orphans.push_back(it->path().string());
    }
    std::sort(orphans.begin(), orphans.end());
    for (const auto& o : orphans) add_issue(ds, "missing_image", o, 0, "label file has no image in " + relative_path(root, images_dir));
  }
  return Status::ok();
}

}  // namespace fogline::data
