// The COCO JSON formats: an "instances" ground-truth file (images, categories, annotations) and
// a results list (what pycocotools' loadRes takes: image_id, category_id, bbox [x,y,w,h],
// score). Parsing checks every field it uses and names the file, element and field on error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace fogline::data {

struct CocoImage {
  int64_t id = 0;
  std::string file_name;
  int width = 0, height = 0;  // 0 when the file does not say
  std::map<std::string, std::string> fields;  // every scalar field (for column: slices)
};

struct CocoCategory {
  int64_t id = 0;
  std::string name;
};

struct CocoAnnotation {
  int64_t id = 0;
  int64_t image_id = 0;
  int64_t category_id = 0;
  double x = 0, y = 0, w = 0, h = 0;
  double area = 0;  // the file's "area"; w*h when absent
  bool iscrowd = false;
};

struct CocoInstances {
  std::vector<CocoImage> images;
  std::vector<CocoCategory> categories;
  std::vector<CocoAnnotation> annotations;
};

struct CocoResult {
  int64_t image_id = 0;
  int64_t category_id = 0;
  double x = 0, y = 0, w = 0, h = 0;
  double score = 0;
};

// A problem with one annotation, for callers that keep going (dataset loading).
struct CocoProblem {
  std::string kind;  // unknown_class, missing_image, bad_annotation
  std::string message;
};

// `source` names the file in messages. Annotations referring to an image or category the file
// does not list are errors (a typo there would silently change every number) — unless
// `problems` is given: then such annotations are left out and reported there.
Result<CocoInstances> parse_coco_instances(const std::string& text, const std::string& source,
                                           std::vector<CocoProblem>* problems = nullptr);
Result<CocoInstances> load_coco_instances(const std::string& path);

Result<std::vector<CocoResult>> parse_coco_results(const std::string& text, const std::string& source);
Result<std::vector<CocoResult>> load_coco_results(const std::string& path);

}  // namespace fogline::data
