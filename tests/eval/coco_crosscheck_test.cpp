// A larger, random case (40 images, 114 boxes with 15 % crowd regions and segment areas below
// the box area, 959 detections with scores rounded to 0.1 so ties are everywhere, a category
// without ground truth, up to ~45 detections per image) scored once by a numpy transcription of
// pycocotools' COCOeval (evaluateImg / accumulate / summarize); the expected numbers below are
// its output. The hand-computed cases in coco_eval_test.cpp explain each rule; this one checks
// that the rules add up the same way on messy data.
#include <gtest/gtest.h>

#include "data/coco_json.h"
#include "eval/coco_files.h"

namespace fogline::eval {
namespace {

TEST(CocoCrossCheck, RandomCaseMatchesPycocotools) {
  std::string dir = std::string(FOGLINE_SOURCE_DIR) + "/tests/eval/fixtures/";
  auto gt = data::load_coco_instances(dir + "crosscheck_gt.json");
  ASSERT_TRUE(gt.is_ok()) << gt.status().to_string();
  auto res = data::load_coco_results(dir + "crosscheck_results.json");
  ASSERT_TRUE(res.is_ok()) << res.status().to_string();
  auto ev = evaluate_coco_files(*gt, *res);
  ASSERT_TRUE(ev.is_ok()) << ev.status().to_string();
  const double expected[kCocoStatCount] = {
      0.03750891221915725, 0.07414573049745661, 0.033928430640141456, 0.010901404561664621,
      0.042768145704268956, 0.5416624603636835, 0.08601539983653804, 0.3543898137394072,
      0.36406848195466074, 0.1255952380952381, 0.4105882352941176, 0.5722222222222222};
  for (int s = 0; s < kCocoStatCount; ++s) {
    EXPECT_NEAR(ev->stats[static_cast<size_t>(s)], expected[s], 1e-12) << coco_stat_key(s);
  }
}

}  // namespace
}  // namespace fogline::eval
