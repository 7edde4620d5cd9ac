// The dataset formats, one file each (format_*.cpp), in one table: adding a format touches
// this table and its own file. Shared helpers for the loaders live here too.
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"

namespace fogline::data {

struct DatasetFormat {
  const char* name;
  TaskKind default_task;
  // True when `root` looks like this format (used when --format is not given).
  bool (*detect)(const std::string& root);
  // Fills items, class_names, files and issues (slices and limits are applied afterwards).
  Status (*load)(const std::string& root, const DatasetOptions& options, Dataset* out);
};

const std::vector<DatasetFormat>& dataset_formats();

// Loaders (format_*.cpp).
bool detect_imagefolder(const std::string& root);
Status load_imagefolder(const std::string& root, const DatasetOptions& options, Dataset* out);
bool detect_coco(const std::string& root);
Status load_coco(const std::string& root, const DatasetOptions& options, Dataset* out);
bool detect_yolo(const std::string& root);
Status load_yolo(const std::string& root, const DatasetOptions& options, Dataset* out);
bool detect_csv(const std::string& root);
Status load_csv(const std::string& root, const DatasetOptions& options, Dataset* out);

// Helpers.
std::string relative_path(const std::string& root, const std::string& path);
// Image files under `dir`, recursively, sorted by path.
std::vector<std::string> list_images(const std::string& dir);
void add_issue(Dataset* ds, std::string kind, const std::string& file, int line, std::string message);
// Checks a box against its image: clipped when it sticks out by more than a pixel (reported),
// false (reported) when nothing is left or it has no area.
bool check_box(Dataset* ds, BoxAnnotation* box, int width, int height, const std::string& file, int line);
// Reads the image size into the item; reports unreadable files. False when unreadable.
bool read_item_size(Dataset* ds, DatasetItem* item, const std::string& file_for_issue, int line);
// The first existing file among `names` in `dir`, or "".
std::string first_existing(const std::string& dir, const std::vector<std::string>& names);
// `path` itself when absolute, else root/path.
std::string under_root(const std::string& root, const std::string& path);

}  // namespace fogline::data
