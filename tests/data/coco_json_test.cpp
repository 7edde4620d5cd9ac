#include "data/coco_json.h"

#include <gtest/gtest.h>

namespace fogline::data {
namespace {

const char* kGt = R"({
  "images": [{"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}, {"id": 2}],
  "categories": [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}],
  "annotations": [
    {"id": 10, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40], "area": 900.5, "iscrowd": 0},
    {"id": 11, "image_id": 2, "category_id": 3, "bbox": [0, 0, 10, 10], "iscrowd": 1}
  ]})";

TEST(CocoJson, ParsesInstances) {
  auto r = parse_coco_instances(kGt, "gt.json");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->images.size(), 2u);
  EXPECT_EQ(r->images[0].width, 640);
  EXPECT_EQ(r->images[0].file_name, "a.jpg");
  ASSERT_EQ(r->annotations.size(), 2u);
  EXPECT_DOUBLE_EQ(r->annotations[0].area, 900.5);
  EXPECT_DOUBLE_EQ(r->annotations[1].area, 100.0);  // no "area": w*h
  EXPECT_TRUE(r->annotations[1].iscrowd);
  EXPECT_EQ(r->categories[1].name, "car");
}

void expect_error(const Result<CocoInstances>& r, const std::string& part) {
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find(part), std::string::npos) << r.status().message();
}

TEST(CocoJson, ErrorsNameFileElementAndField) {
  expect_error(parse_coco_instances("{\"images\": [", "gt.json"), "gt.json: not valid JSON");
  expect_error(parse_coco_instances("[]", "gt.json"), "gt.json: expected a COCO instances object");
  expect_error(parse_coco_instances(R"({"images": [], "categories": []})", "gt.json"), "missing field \"annotations\"");
  expect_error(parse_coco_instances(
                   R"({"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [{"image_id": 1, "category_id": 1}]})",
                   "gt.json"),
               "gt.json: annotations[0]: missing field \"bbox\"");
  expect_error(parse_coco_instances(
                   R"({"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3]}]})",
                   "gt.json"),
               "annotations[0].bbox: expected [x, y, width, height]");
  expect_error(parse_coco_instances(
                   R"({"images": [{"id": 1}], "categories": [{"id": 1}], "annotations": [{"image_id": 5, "category_id": 1, "bbox": [1, 2, 3, 4]}]})",
                   "gt.json"),
               "annotations[0].image_id: 5 is not in \"images\"");
  expect_error(parse_coco_instances(
                   R"({"images": [{"id": "x"}], "categories": [], "annotations": []})", "gt.json"),
               "images[0].id: expected an integer, got a string");
}

TEST(CocoJson, ParsesResultsAndRejectsBadOnes) {
  auto r = parse_coco_results(R"([{"image_id": 1, "category_id": 3, "bbox": [1.5, 2, 3, 4], "score": 0.25}])", "res.json");
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_DOUBLE_EQ((*r)[0].x, 1.5);
  EXPECT_DOUBLE_EQ((*r)[0].score, 0.25);
  auto missing = parse_coco_results(R"([{"image_id": 1, "category_id": 3, "bbox": [1, 2, 3, 4]}])", "res.json");
  ASSERT_FALSE(missing.is_ok());
  EXPECT_NE(missing.status().message().find("res.json: [0]: missing field \"score\""), std::string::npos)
      << missing.status().message();
  auto object = parse_coco_results("{}", "res.json");
  ASSERT_FALSE(object.is_ok());
  EXPECT_NE(object.status().message().find("expected a JSON array"), std::string::npos);
}

}  // namespace
}  // namespace fogline::data
