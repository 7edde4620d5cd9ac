// coco: a COCO instances JSON (--annotations, else the only *.json in ROOT or ROOT/annotations)
// and its images under ROOT/images (or ROOT). Class index k is the k-th category by id, and
// Dataset::category_ids keeps the ids, so results can be written back with COCO's own ids.
#include <algorithm>
#include <filesystem>
#include <map>

#include "core/file_util.h"
#include "data/coco_json.h"
#include "data/dataset_formats.h"

namespace fogline::data {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> json_files(const std::string& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string find_annotations(const std::string& root) {
  for (const std::string& dir : {root, (fs::path(root) / "annotations").string()}) {
    auto files = json_files(dir);
    if (files.size() == 1) return files[0];
    for (const auto& f : files) {
      if (fs::path(f).filename().string().rfind("instances", 0) == 0) return f;
    }
  }
  return "";
}

}  // namespace

bool detect_coco(const std::string& root) { return fs::is_directory(root) && !find_annotations(root).empty(); }

Status load_coco(const std::string& root, const DatasetOptions& options, Dataset* ds) {
  std::string ann = options.annotations.empty() ? find_annotations(root) : under_root(root, options.annotations);
  if (ann.empty()) return not_found(root + ": no COCO instances JSON found; pass --annotations");
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(ann));
  std::vector<CocoProblem> problems;
  FOGLINE_ASSIGN_OR_RETURN(CocoInstances coco, parse_coco_instances(text, relative_path(root, ann), &problems));
  ds->files.push_back(relative_path(root, ann));
  for (const auto& p : problems) add_issue(ds, p.kind, ann, 0, p.message);

  std::string images_dir = !options.images_dir.empty() ? under_root(root, options.images_dir)
                           : fs::is_directory(fs::path(root) / "images") ? (fs::path(root) / "images").string()
                                                                          : root;
  auto cats = coco.categories;
  std::sort(cats.begin(), cats.end(), [](const CocoCategory& a, const CocoCategory& b) { return a.id < b.id; });
  std::map<int64_t, int> class_of;
  for (const auto& c : cats) {
    class_of[c.id] = static_cast<int>(ds->class_names.size());
    ds->class_names.push_back(c.name.empty() ? std::to_string(c.id) : c.name);
    ds->category_ids.push_back(c.id);
  }
  std::map<int64_t, std::vector<const CocoAnnotation*>> by_image;
  for (size_t i = 0; i < coco.annotations.size(); ++i) by_image[coco.annotations[i].image_id].push_back(&coco.annotations[i]);
  auto images = coco.images;
  std::sort(images.begin(), images.end(), [](const CocoImage& a, const CocoImage& b) { return a.id < b.id; });
  for (const auto& im : images) {
    DatasetItem item;
    item.id = im.id;
    item.path = (fs::path(images_dir) / im.file_name).string();
    item.relative = relative_path(root, item.path);
    item.image_relative = relative_path(images_dir, item.path);
    std::string where = "image " + std::to_string(im.id) + " (" + im.file_name + ")";
    if (im.file_name.empty() || !fs::is_regular_file(item.path)) {
      add_issue(ds, "missing_image", ann, 0, where + ": file " + item.relative + " does not exist; its " +
                                                 std::to_string(by_image[im.id].size()) + " annotations are left out");
      continue;
    }
    if (options.read_image_sizes) {
      if (!read_item_size(ds, &item, item.path, 0)) continue;
      if ((im.width && im.width != item.width) || (im.height && im.height != item.height)) {
        add_issue(ds, "size_mismatch", ann, 0,
                  where + ": the file says " + std::to_string(im.width) + "x" + std::to_string(im.height) +
                      ", the image is " + std::to_string(item.width) + "x" + std::to_string(item.height));
      }
    } else {
      item.width = im.width, item.height = im.height;
    }
    for (const auto& [k, v] : im.fields) item.metadata[k] = v;
    for (const CocoAnnotation* a : by_image[im.id]) {
      BoxAnnotation b;
      b.class_index = class_of.at(a->category_id);
      b.x = a->x, b.y = a->y, b.w = a->w, b.h = a->h;
      b.area = a->area;
      b.iscrowd = a->iscrowd;
      std::string id_note = "annotation id " + std::to_string(a->id) + ": ";
      size_t before = ds->issues.size();
      bool keep = check_box(ds, &b, item.width, item.height, ann, 0);
      for (size_t i = before; i < ds->issues.size(); ++i) ds->issues[i].message = id_note + ds->issues[i].message;
      if (keep) item.boxes.push_back(b);
    }
    ds->files.push_back(item.relative);
    ds->items.push_back(std::move(item));
  }
  return Status::ok();
}

}  // namespace fogline::data
