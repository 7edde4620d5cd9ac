// A dataset as Fogline sees it, whatever its format on disk: a list of items (an image with a
// label or boxes, or a CSV row with features and a target), class names, slice tags per item,
// the files it is made of (for its content hash), and every problem found while loading it.
//
// Bad annotations are never dropped silently: each one becomes an Issue with its file and line
// and a kind that is counted in the summary. What happens to the data: an item whose image is
// missing or unreadable is left out; a box of an unknown class is left out; a box that sticks
// out of its image by more than a pixel is clipped to the image (left out when nothing is left).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::data {

enum class TaskKind { kClassification, kDetection, kRegression };
const char* task_kind_name(TaskKind kind);

struct BoxAnnotation {
  int class_index = -1;      // into Dataset::class_names
  double x = 0, y = 0, w = 0, h = 0;  // pixels, top-left corner + size
  double area = 0;           // COCO "area" when given, else w*h
  bool iscrowd = false;
};

struct DatasetItem {
  std::string path;        // the image (or CSV) file, as found on disk
  std::string relative;    // path relative to the dataset root
  std::string image_relative;  // path under the image root (what folder:N slices look at)
  int64_t id = 0;          // COCO image id, else the item's index
  int label = -1;          // classification label (class index), -1 when none
  std::vector<BoxAnnotation> boxes;  // detection
  int width = 0, height = 0;         // image size when known
  std::vector<double> features;      // CSV rows
  double target = 0;                 // CSV regression target
  std::map<std::string, std::string> tags;      // slice key -> value
  std::map<std::string, std::string> metadata;  // fields the format carries (COCO image entry, CSV row)
};

struct Issue {
  std::string kind;  // box_outside_image, unknown_class, missing_image, unreadable_file, bad_line, missing_label, ...
  std::string file;
  int line = 0;      // 1-based; 0 when the problem is the whole file
  std::string message;
  std::string to_string() const;  // "labels/x.txt:3: unknown_class: class 91 is not in coco_classes.txt"
};

// --slice KEY=SOURCE: where a slice's value comes from.
//   folder:N         the N-th folder of the item's path under the image root (negative: from
//                    the end, -1 = the folder that holds the file)
//   column:NAME      a column of the metadata CSV (--metadata, or metadata.csv in the root,
//                    with a file/image/path column) — for CSV datasets a column of the data
//                    itself; for COCO a field of the image's entry in "images" is used first
//   sidecar:FIELD    FIELD of a JSON file beside the image (IMAGE.json or STEM.json); dots
//                    reach into nested objects
struct SliceSpec {
  std::string key;
  std::string source;  // folder | column | sidecar
  std::string argument;
  static Result<SliceSpec> parse(const std::string& text);  // "camera=folder:0"
};
constexpr const char* kMissingSliceValue = "(none)";

struct DatasetOptions {
  std::string format;         // imagefolder | coco | yolo | csv; empty: detect from the layout
  std::vector<SliceSpec> slices;
  std::string labels_file;    // imagefolder (flat): "FILE LABEL..." lines; default labels.txt
  std::string classes_file;   // class names, one per line (or "wnid name"); detected when empty
  std::string annotations;    // coco: the instances JSON; default: the only *.json in the root or annotations/
  std::string images_dir;     // coco/yolo: default images/
  std::string metadata_file;  // for column: slices; default metadata.csv
  std::string target_column;  // csv: regression target or class label; default "target", then "label"
  std::string window_column;  // csv: rows sharing this column's value form one item (a sensor window)
  bool read_image_sizes = true;  // reads image headers (needed for YOLO and the outside-box check)
  int64_t limit = 0;          // keep the first N items (after sorting by path); 0 = all
};

struct Dataset {
  std::string root;
  std::string format;
  TaskKind task = TaskKind::kClassification;
  std::vector<std::string> class_names;
  // For detection datasets from COCO files: the category id of each class index (others: index).
  std::vector<int64_t> category_ids;
  std::vector<DatasetItem> items;
  std::vector<std::string> feature_names;  // csv
  std::vector<std::string> files;  // every file the dataset is made of, relative to root, sorted
  std::vector<Issue> issues;

  std::map<std::string, int64_t> issue_counts() const;
  // Values of a slice key and how many items have each.
  std::map<std::string, int64_t> slice_counts(const std::string& key) const;
  std::vector<std::string> slice_keys() const;
  int64_t box_count() const;
};

Result<Dataset> load_dataset(const std::string& root, const DatasetOptions& options);

// SHA-256 over the sorted relative paths and SHA-256s of every file in `dataset.files`: the
// version of the dataset's content (renaming, adding, removing or changing any file changes it).
Result<std::string> dataset_content_hash(const Dataset& dataset);

// What `fogline data add` prints and the registry stores: format, task, counts, classes, slices,
// issue counts and the first `max_issues` issues.
nlohmann::json dataset_summary_json(const Dataset& dataset, const std::string& content_hash, size_t max_issues = 20);

}  // namespace fogline::data
