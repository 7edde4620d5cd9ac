#include "data/dataset_formats.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "data/image_size.h"

namespace fogline::data {

namespace fs = std::filesystem;

const std::vector<DatasetFormat>& dataset_formats() {
  // Detection order matters: YOLO and COCO layouts also contain images, and a YOLO folder
  // (images/ + labels/) may hold a stray JSON file that must not make it look like COCO.
  static const std::vector<DatasetFormat> kFormats = {
      {"yolo", TaskKind::kDetection, detect_yolo, load_yolo},
      {"coco", TaskKind::kDetection, detect_coco, load_coco},
      {"csv", TaskKind::kRegression, detect_csv, load_csv},
      {"imagefolder", TaskKind::kClassification, detect_imagefolder, load_imagefolder},
  };
  return kFormats;
}

std::string relative_path(const std::string& root, const std::string& path) {
  std::error_code ec;
  auto rel = fs::relative(path, root, ec);
  if (ec || rel.empty()) return path;
  return rel.generic_string();
}

std::vector<std::string> list_images(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && has_image_extension(it->path().string())) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void add_issue(Dataset* ds, std::string kind, const std::string& file, int line, std::string message) {
  ds->issues.push_back({std::move(kind), relative_path(ds->root, file), line, std::move(message)});
}

bool check_box(Dataset* ds, BoxAnnotation* b, int width, int height, const std::string& file, int line) {
  if (!(b->w > 0 && b->h > 0) || !std::isfinite(b->x) || !std::isfinite(b->y)) {
    add_issue(ds, "empty_box", file, line, "box has no area (w " + std::to_string(b->w) + ", h " + std::to_string(b->h) + ")");
    return false;
  }
  if (width <= 0 || height <= 0) return true;  // size unknown: nothing to check against
  const double tol = 1.0;  // rounding in normalised or integer coordinates is not an error
  double x0 = b->x, y0 = b->y, x1 = b->x + b->w, y1 = b->y + b->h;
  if (x0 >= -tol && y0 >= -tol && x1 <= width + tol && y1 <= height + tol) {
    // Inside up to rounding: clip silently to the image, nothing is lost.
    x0 = std::max(0.0, x0), y0 = std::max(0.0, y0), x1 = std::min<double>(width, x1), y1 = std::min<double>(height, y1);
  } else {
    char msg[200];
    std::snprintf(msg, sizeof(msg), "box [%.1f, %.1f, %.1f, %.1f] (x, y, w, h) is outside the %dx%d image", b->x, b->y,
                  b->w, b->h, width, height);
    x0 = std::max(0.0, x0), y0 = std::max(0.0, y0), x1 = std::min<double>(width, x1), y1 = std::min<double>(height, y1);
    bool left = x1 > x0 && y1 > y0;
    add_issue(ds, "box_outside_image", file, line, std::string(msg) + (left ? "; clipped" : "; left out"));
    if (!left) return false;
  }
  bool area_was_box = std::fabs(b->area - b->w * b->h) < 1e-9;
  b->x = x0, b->y = y0, b->w = x1 - x0, b->h = y1 - y0;
  if (area_was_box) b->area = b->w * b->h;
  return true;
}

bool read_item_size(Dataset* ds, DatasetItem* item, const std::string& file_for_issue, int line) {
  auto size = read_image_size(item->path);
  if (!size.is_ok()) {
    add_issue(ds, "unreadable_file", file_for_issue.empty() ? item->path : file_for_issue, line, size.status().message());
    return false;
  }
  item->width = size->width;
  item->height = size->height;
  return true;
}

std::string first_existing(const std::string& dir, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    fs::path p = fs::path(dir) / n;
    if (fs::is_regular_file(p)) return p.string();
  }
  return "";
}

std::string under_root(const std::string& root, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) return path;
  fs::path in_root = fs::path(root) / path;
  if (fs::exists(in_root)) return in_root.string();
  return path;  // relative to the working directory
}

}  // namespace fogline::data
