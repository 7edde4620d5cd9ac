// Processing specs (JSON), preprocessing (resize modes, normalisation, layouts) and the
// detection decoders, on inputs small enough to check by hand.
#include <gtest/gtest.h>
#include <opencv2/core.hpp>

#include <cmath>
#include <cstdio>

#include "processing/postprocess.h"
#include "processing/preprocess.h"
#include "processing/processing_spec.h"
#include "processing/spec_presets.h"

namespace fogline::processing {
namespace {

using engine::Tensor;

TEST(ProcessingSpec, JsonRoundTripAndStrictKeys) {
  ProcessingSpec s;
  s.pre.width = 416, s.pre.height = 416;
  s.pre.resize = ResizeMode::kLetterbox;
  s.pre.bgr = true;
  s.pre.scale = 1;
  s.post.kind = PostprocessKind::kYoloxGrid;
  s.post.nms_iou = 0.45;
  auto back = ProcessingSpec::from_json(s.to_json());
  ASSERT_TRUE(back.is_ok()) << back.status().to_string();
  EXPECT_EQ(back->to_json(), s.to_json());
  EXPECT_EQ(back->pre.resize, ResizeMode::kLetterbox);
  EXPECT_TRUE(back->pre.bgr);
  EXPECT_EQ(back->post.kind, PostprocessKind::kYoloxGrid);
  auto typo = ProcessingSpec::from_json(nlohmann::json::parse(R"({"preprocess": {"maen": [0, 0, 0]}})"));
  ASSERT_FALSE(typo.is_ok());
  EXPECT_NE(typo.status().message().find("unknown key \"maen\""), std::string::npos);
  auto kind = ProcessingSpec::from_json(nlohmann::json::parse(R"({"postprocess": {"kind": "ssd"}})"));
  ASSERT_FALSE(kind.is_ok());
  EXPECT_NE(kind.status().message().find("postprocess.kind"), std::string::npos);
  auto type = ProcessingSpec::from_json(nlohmann::json::parse(R"({"preprocess": {"size": "416"}})"));
  EXPECT_FALSE(type.is_ok());
  EXPECT_FALSE(ProcessingSpec::from_json(nlohmann::json::parse(R"({"postprocess": {"label_offset": -1}})")).is_ok());
  EXPECT_FALSE(ProcessingSpec::from_json(nlohmann::json::parse(R"({"postprocess": {"nms_iou": 0}})")).is_ok());
  EXPECT_FALSE(ProcessingSpec::from_json(nlohmann::json::parse(R"({"preprocess": {"std": [1, 0, 1]}})")).is_ok());
}

TEST(ProcessingSpec, LabelsInlineOrFromAFile) {
  auto inline_spec = ProcessingSpec::from_json(nlohmann::json::parse(R"({"postprocess": {"labels": ["cat", "dog"]}})"));
  ASSERT_TRUE(inline_spec.is_ok()) << inline_spec.status().to_string();
  EXPECT_EQ(inline_spec->post.label_names().value(), (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(inline_spec->to_json()["postprocess"]["labels"], nlohmann::json::array({"cat", "dog"}));
  std::string file = ::testing::TempDir() + "/fogline_labels.txt";
  FILE* f = std::fopen(file.c_str(), "w");
  std::fputs("n01440764 tench, Tinca tinca\nn01443537 goldfish\n", f);
  std::fclose(f);
  auto file_spec = ProcessingSpec::from_json({{"postprocess", {{"labels", file}}}});
  ASSERT_TRUE(file_spec.is_ok());
  EXPECT_EQ(file_spec->post.labels_file, file);
  ASSERT_TRUE(file_spec->post.embed_labels().is_ok());
  EXPECT_TRUE(file_spec->post.labels_file.empty());
  EXPECT_EQ(file_spec->to_json()["postprocess"]["labels"], nlohmann::json::array({"tench", "goldfish"}));
  std::remove(file.c_str());
  PostprocessSpec missing;
  missing.labels_file = file;
  EXPECT_FALSE(missing.embed_labels().is_ok());
}

TEST(ProcessingSpec, PresetsAreValidAndDistinct) {
  for (const auto& name : processing_preset_names()) {
    auto p = processing_preset(name);
    ASSERT_TRUE(p.is_ok()) << name;
    EXPECT_TRUE(p->pre.validate().is_ok()) << name;
    EXPECT_TRUE(p->post.validate().is_ok()) << name;
    EXPECT_TRUE(ProcessingSpec::from_json(p->to_json()).is_ok()) << name;
  }
  EXPECT_EQ(processing_preset("yolox")->post.kind, PostprocessKind::kYoloxGrid);
  EXPECT_TRUE(processing_preset("yolox")->pre.bgr);
  EXPECT_TRUE(processing_preset("yolov8")->pre.center_pad);
  EXPECT_EQ(processing_preset("imagenet")->pre.resize, ResizeMode::kCenterCrop);
  auto bad = processing_preset("ssd");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("imagenet, yolox, yolov5, yolov8"), std::string::npos);
}

TEST(Preprocess, NormalisesChannelsInOrderAndLayout) {
  cv::Mat img(2, 2, CV_8UC3, cv::Scalar(0, 128, 255));  // B=0 G=128 R=255
  PreprocessSpec p;
  p.width = 2, p.height = 2;
  p.mean = {0.5, 0.5, 0.5};
  p.std = {0.5, 0.5, 0.5};
  auto rgb = preprocess_image(img, p);
  ASSERT_TRUE(rgb.is_ok()) << rgb.status().to_string();
  EXPECT_EQ(rgb->tensor.shape(), (engine::Shape{1, 3, 2, 2}));
  EXPECT_NEAR(rgb->tensor.data<float>()[0], 1.0f, 1e-6);   // R plane first: (1 - .5) / .5
  EXPECT_NEAR(rgb->tensor.data<float>()[8], -1.0f, 1e-6);  // B plane last
  p.bgr = true;
  p.layout = "NHWC";
  auto bgr = preprocess_image(img, p);
  ASSERT_TRUE(bgr.is_ok());
  EXPECT_EQ(bgr->tensor.shape(), (engine::Shape{1, 2, 2, 3}));
  EXPECT_NEAR(bgr->tensor.data<float>()[0], -1.0f, 1e-6);  // B first
  EXPECT_NEAR(bgr->tensor.data<float>()[2], 1.0f, 1e-6);
  p.dtype = "uint8";
  auto raw = preprocess_image(img, p);
  ASSERT_TRUE(raw.is_ok());
  EXPECT_EQ(raw->tensor.dtype(), engine::DataType::kUInt8);
  EXPECT_EQ(raw->tensor.data<uint8_t>()[2], 255);
}

TEST(Preprocess, LetterboxTopLeftAndCentredTransforms) {
  cv::Mat img(100, 200, CV_8UC3, cv::Scalar(50, 50, 50));  // 200 wide, 100 high
  PreprocessSpec p;
  p.width = 100, p.height = 100;
  p.resize = ResizeMode::kLetterbox;
  p.scale = 1;
  auto tl = preprocess_image(img, p);
  ASSERT_TRUE(tl.is_ok());
  EXPECT_DOUBLE_EQ(tl->transform.scale_x, 0.5);
  EXPECT_DOUBLE_EQ(tl->transform.offset_y, 0);
  // Rows 0..49 are image (50), rows 50..99 padding (114).
  EXPECT_FLOAT_EQ(tl->tensor.data<float>()[10 * 100 + 10], 50);
  EXPECT_FLOAT_EQ(tl->tensor.data<float>()[80 * 100 + 10], 114);
  EXPECT_DOUBLE_EQ(tl->transform.to_original_x(50), 100);
  p.center_pad = true;
  auto c = preprocess_image(img, p);
  ASSERT_TRUE(c.is_ok());
  EXPECT_DOUBLE_EQ(c->transform.offset_y, 25);
  EXPECT_DOUBLE_EQ(c->transform.to_original_y(25), 0);
  EXPECT_FLOAT_EQ(c->tensor.data<float>()[10 * 100 + 10], 114);
}

TEST(Preprocess, ShorterSideThenCentreCrop) {
  cv::Mat img(300, 200, CV_8UC3, cv::Scalar(1, 2, 3));
  PreprocessSpec p;
  p.width = 224, p.height = 224;
  p.resize = ResizeMode::kCenterCrop;  // shorter side 256: 256 x 384, crop offsets 16, 80
  auto r = preprocess_image(img, p);
  ASSERT_TRUE(r.is_ok()) << r.status().to_string();
  EXPECT_DOUBLE_EQ(r->transform.scale_x, 256.0 / 200);
  EXPECT_DOUBLE_EQ(r->transform.offset_x, -16);
  EXPECT_DOUBLE_EQ(r->transform.offset_y, -80);
}

TEST(Postprocess, SoftmaxAndLabelOffset) {
  PostprocessSpec s;
  s.softmax = true;
  s.label_offset = 1;
  auto t = Tensor::from_vector<float>({1, 3}, {0.f, std::log(1.f), std::log(3.f)});
  auto r = classification_scores(t, s);
  ASSERT_TRUE(r.is_ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_NEAR((*r)[0], 0.2f, 1e-6);  // e^0 / (1 + 1 + 3)
  EXPECT_NEAR((*r)[1], 0.6f, 1e-6);
}

TEST(Postprocess, NmsIsClassWiseUnlessAgnostic) {
  std::vector<Detection> c{{0, 0.9f, 0, 0, 10, 10}, {0, 0.8f, 1, 0, 10, 10}, {1, 0.7f, 0, 0, 10, 10}, {0, 0.6f, 50, 50, 10, 10}};
  auto k = non_max_suppression(c, 0.5, false, 100);
  ASSERT_EQ(k.size(), 3u);  // the 0.8 box (IoU .82 with the 0.9 one, same class) goes
  EXPECT_FLOAT_EQ(k[1].score, 0.7f);
  EXPECT_EQ(non_max_suppression(c, 0.5, true, 100).size(), 2u);
  EXPECT_EQ(non_max_suppression(c, 0.5, false, 2).size(), 2u);
}

TEST(Postprocess, YoloxGridDecodeAndLetterboxBack) {
  // A 64x32 input with strides {32}: a 2x1 grid, rows (x=0,y=0) and (x=1,y=0); 2 classes.
  // Row 1: offsets (0.5, 0.5), log-size 0 -> centre (48, 16), 32x32; obj .9, class 1 .5 -> .45.
  ImageTransform tf;
  tf.input_width = 64, tf.input_height = 32, tf.original_width = 128, tf.original_height = 64;
  tf.scale_x = tf.scale_y = 0.5;
  auto t = Tensor::from_vector<float>({1, 2, 7}, {0, 0, 0, 0, 0.0f, 0.9f, 0.1f,  // row 0: objectness 0
                                                 0.5f, 0.5f, 0, 0, 0.9f, 0.2f, 0.5f});
  PostprocessSpec s;
  s.kind = PostprocessKind::kYoloxGrid;
  s.strides = {32};
  s.score_threshold = 0.3;
  auto d = decode_detections({t}, {"output"}, s, tf);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_EQ((*d)[0].class_index, 1);
  EXPECT_NEAR((*d)[0].score, 0.45f, 1e-6);
  // Input box (32, 0)-(64, 32) -> original (64, 0)-(128, 64).
  EXPECT_DOUBLE_EQ((*d)[0].x, 64);
  EXPECT_DOUBLE_EQ((*d)[0].w, 64);
  EXPECT_DOUBLE_EQ((*d)[0].h, 64);
  s.strides = {16};
  EXPECT_FALSE(decode_detections({t}, {"output"}, s, tf).is_ok());  // 8 grid cells, 2 rows
}

TEST(Postprocess, YoloV8TransposedAndBoxesScores) {
  ImageTransform tf;
  tf.input_width = tf.original_width = 100, tf.input_height = tf.original_height = 100;
  // [1, 4+2, 7]: columns are anchors (more anchors than channels, as in every real head).
  // Anchor 2: box centre (50, 50) 20x20, class 0 score .8; the others score .1.
  std::vector<float> v(6 * 7, 0.1f);
  for (int a = 0; a < 7; ++a) v[0 * 7 + a] = v[1 * 7 + a] = 10, v[2 * 7 + a] = v[3 * 7 + a] = 5;
  v[0 * 7 + 2] = 50, v[1 * 7 + 2] = 50, v[2 * 7 + 2] = 20, v[3 * 7 + 2] = 20, v[4 * 7 + 2] = 0.8f;
  auto t = Tensor::from_vector<float>({1, 6, 7}, v);
  PostprocessSpec s;
  s.kind = PostprocessKind::kYoloV8;
  s.score_threshold = 0.25;
  auto d = decode_detections({t}, {"output0"}, s, tf);
  ASSERT_TRUE(d.is_ok()) << d.status().to_string();
  ASSERT_EQ(d->size(), 1u);
  EXPECT_DOUBLE_EQ((*d)[0].x, 40);
  EXPECT_FLOAT_EQ((*d)[0].score, 0.8f);
  PostprocessSpec bs;
  bs.kind = PostprocessKind::kBoxesScores;
  bs.normalized_boxes = true;
  auto boxes = Tensor::from_vector<float>({1, 2, 4}, {0.1f, 0.1f, 0.3f, 0.5f, 0, 0, 1, 1});
  auto scores = Tensor::from_vector<float>({1, 2}, {0.9f, 0.0001f});
  auto classes = Tensor::from_vector<int64_t>({1, 2}, {7, 3});
  auto e = decode_detections({boxes, scores, classes}, {"b", "s", "c"}, bs, tf);
  ASSERT_TRUE(e.is_ok()) << e.status().to_string();
  ASSERT_EQ(e->size(), 1u);
  EXPECT_EQ((*e)[0].class_index, 7);
  EXPECT_NEAR((*e)[0].w, 20, 1e-4);
  EXPECT_NEAR((*e)[0].h, 40, 1e-4);
}

}  // namespace
}  // namespace fogline::processing
