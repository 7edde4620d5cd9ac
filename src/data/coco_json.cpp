#include "data/coco_json.h"

#include <unordered_set>

#include "core/file_util.h"
#include "data/json_fields.h"

namespace fogline::data {

namespace {

using nlohmann::json;

Result<const json*> array_field(const json& doc, const char* field, const std::string& source) {
  FOGLINE_ASSIGN_OR_RETURN(const json* v, require_field(doc, field, source));
  if (!v->is_array()) return invalid_argument(source + ": \"" + field + "\" must be an array, got " + json_type_phrase(*v));
  return v;
}

// bbox: [x, y, w, h], four finite numbers, w and h not negative.
Status read_bbox(const json& object, const std::string& where, double* x, double* y, double* w, double* h) {
  FOGLINE_ASSIGN_OR_RETURN(const json* b, require_field(object, "bbox", where));
  if (!b->is_array() || b->size() != 4) {
    return invalid_argument(where + ".bbox: expected [x, y, width, height], got " + b->dump());
  }
  double v[4];
  for (size_t i = 0; i < 4; ++i) {
    if (!(*b)[i].is_number()) return invalid_argument(where + ".bbox[" + std::to_string(i) + "]: expected a number, got " + (*b)[i].dump());
    v[i] = (*b)[i].get<double>();
  }
  if (v[2] < 0 || v[3] < 0) return invalid_argument(where + ".bbox: negative width or height " + b->dump());
  *x = v[0], *y = v[1], *w = v[2], *h = v[3];
  return Status::ok();
}

// One annotation's fields (ids, bbox, area, iscrowd); references are checked by the caller.
Status read_annotation(const json& e, size_t i, const std::string& where, CocoAnnotation* a) {
  if (e.contains("id")) {
    FOGLINE_ASSIGN_OR_RETURN(a->id, integer_field(e, "id", where));
  } else {
    a->id = static_cast<int64_t>(i) + 1;
  }
  FOGLINE_ASSIGN_OR_RETURN(a->image_id, integer_field(e, "image_id", where));
  FOGLINE_ASSIGN_OR_RETURN(a->category_id, integer_field(e, "category_id", where));
  FOGLINE_TRY(read_bbox(e, where, &a->x, &a->y, &a->w, &a->h));
  if (e.contains("area")) {
    FOGLINE_ASSIGN_OR_RETURN(a->area, number_field(e, "area", where));
  } else {
    a->area = a->w * a->h;
  }
  if (e.contains("iscrowd")) {
    const json& c = e["iscrowd"];
    if (c.is_boolean()) {
      a->iscrowd = c.get<bool>();
    } else if (c.is_number_integer()) {
      a->iscrowd = c.get<int64_t>() != 0;
    } else {
      return invalid_argument(where + ".iscrowd: expected 0 or 1, got " + c.dump());
    }
  }
  return Status::ok();
}

}  // namespace

Result<CocoInstances> parse_coco_instances(const std::string& text, const std::string& source,
                                           std::vector<CocoProblem>* problems) {
  FOGLINE_ASSIGN_OR_RETURN(json doc, parse_json(text, source));
  if (!doc.is_object()) return invalid_argument(source + ": expected a COCO instances object, got " + json_type_phrase(doc));
  CocoInstances out;
  FOGLINE_ASSIGN_OR_RETURN(const json* images, array_field(doc, "images", source));
  FOGLINE_ASSIGN_OR_RETURN(const json* categories, array_field(doc, "categories", source));
  FOGLINE_ASSIGN_OR_RETURN(const json* annotations, array_field(doc, "annotations", source));
  std::unordered_set<int64_t> image_ids, category_ids;
  for (size_t i = 0; i < images->size(); ++i) {
    const json& e = (*images)[i];
    std::string where = source + ": images[" + std::to_string(i) + "]";
    CocoImage im;
    FOGLINE_ASSIGN_OR_RETURN(im.id, integer_field(e, "id", where));
    if (e.contains("file_name")) {
      FOGLINE_ASSIGN_OR_RETURN(im.file_name, string_field(e, "file_name", where));
    }
    if (e.contains("width")) {
      FOGLINE_ASSIGN_OR_RETURN(int64_t w, integer_field(e, "width", where));
      im.width = static_cast<int>(w);
    }
    if (e.contains("height")) {
      FOGLINE_ASSIGN_OR_RETURN(int64_t h, integer_field(e, "height", where));
      im.height = static_cast<int>(h);
    }
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (it->is_string()) {
        im.fields[it.key()] = it->get<std::string>();
      } else if (it->is_number() || it->is_boolean()) {
        im.fields[it.key()] = it->dump();
      }
    }
    if (!image_ids.insert(im.id).second) return invalid_argument(where + ": duplicate image id " + std::to_string(im.id));
    out.images.push_back(std::move(im));
  }
  for (size_t i = 0; i < categories->size(); ++i) {
    const json& e = (*categories)[i];
    std::string where = source + ": categories[" + std::to_string(i) + "]";
    CocoCategory c;
    FOGLINE_ASSIGN_OR_RETURN(c.id, integer_field(e, "id", where));
    if (e.contains("name")) {
      FOGLINE_ASSIGN_OR_RETURN(c.name, string_field(e, "name", where));
    }
    if (!category_ids.insert(c.id).second) return invalid_argument(where + ": duplicate category id " + std::to_string(c.id));
    out.categories.push_back(std::move(c));
  }
  for (size_t i = 0; i < annotations->size(); ++i) {
    const json& e = (*annotations)[i];
    std::string where = source + ": annotations[" + std::to_string(i) + "]";
    CocoAnnotation a;
    Status st = read_annotation(e, i, where, &a);
    std::string kind = "bad_annotation";
    if (st.is_ok() && !image_ids.count(a.image_id)) {
      kind = "missing_image";
      st = invalid_argument(where + ".image_id: " + std::to_string(a.image_id) + " is not in \"images\"");
    } else if (st.is_ok() && !category_ids.count(a.category_id)) {
      kind = "unknown_class";
      st = invalid_argument(where + ".category_id: " + std::to_string(a.category_id) + " is not in \"categories\"");
    }
    if (!st.is_ok()) {
      if (!problems) return st;
      problems->push_back({kind, st.message()});
      continue;
    }
    out.annotations.push_back(a);
  }
  return out;
}

Result<CocoInstances> load_coco_instances(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_coco_instances(text, path);
}

Result<std::vector<CocoResult>> parse_coco_results(const std::string& text, const std::string& source) {
  FOGLINE_ASSIGN_OR_RETURN(json doc, parse_json(text, source));
  if (!doc.is_array()) {
    return invalid_argument(source + ": expected a JSON array of results ({image_id, category_id, bbox, score}), got " +
                            json_type_phrase(doc));
  }
  std::vector<CocoResult> out;
  out.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    const json& e = doc[i];
    std::string where = source + ": [" + std::to_string(i) + "]";
    CocoResult r;
    FOGLINE_ASSIGN_OR_RETURN(r.image_id, integer_field(e, "image_id", where));
    FOGLINE_ASSIGN_OR_RETURN(r.category_id, integer_field(e, "category_id", where));
    FOGLINE_TRY(read_bbox(e, where, &r.x, &r.y, &r.w, &r.h));
    FOGLINE_ASSIGN_OR_RETURN(r.score, number_field(e, "score", where));
    out.push_back(r);
  }
  return out;
}

Result<std::vector<CocoResult>> load_coco_results(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path));
  return parse_coco_results(text, path);
}

}  // namespace fogline::data
