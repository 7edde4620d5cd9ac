// fogline metrics coco GT.json RESULTS.json [--json]: scores detections produced anywhere with
// the COCO algorithm (pycocotools' COCOeval, bbox), printing its 12 numbers in its format.
#include <cstdio>

#include "cli/command.h"
#include "data/coco_json.h"
#include "eval/coco_files.h"

namespace fogline::cli {
namespace {

class MetricsCocoCommand : public Command {
 public:
  const char* name() const override { return "metrics coco"; }
  const char* summary() const override {
    return "COCO detection metrics (AP@[.50:.95], AP50, AP75, APs/m/l, AR1/10/100, ARs/m/l) of a results file";
  }
  void configure(CLI::App& app) override {
    app.add_option("ground_truth", gt_path_, "COCO instances JSON (images, categories, annotations)")->required();
    app.add_option("results", results_path_, "COCO results JSON: [{image_id, category_id, bbox: [x,y,w,h], score}]")
        ->required();
    app.add_flag("--json", json_, "print the numbers and per-class AP as JSON");
    app.add_flag("--per-class", per_class_, "also print AP and AP50 per category");
  }
  int run() override {
    auto gt = data::load_coco_instances(gt_path_);
    if (!gt.is_ok()) return fail(gt.status().message());
    auto results = data::load_coco_results(results_path_);
    if (!results.is_ok()) return fail(results.status().message());
    auto ev = eval::evaluate_coco_files(*gt, *results);
    if (!ev.is_ok()) return fail(results_path_ + ": " + ev.status().message());
    std::map<int64_t, std::string> names;
    for (const auto& c : gt->categories) names[c.id] = c.name;
    if (json_) {
      std::printf("%s\n", eval::coco_evaluation_to_json(*ev, names).dump(2).c_str());
      return 0;
    }
    std::fputs(eval::format_coco_summary(*ev).c_str(), stdout);
    if (ev->detections_with_unknown_category) {
      std::fprintf(stderr, "note: %lld detections have a category_id that is not in %s and were not scored\n",
                   static_cast<long long>(ev->detections_with_unknown_category), gt_path_.c_str());
    }
    if (per_class_) {
      std::printf("\n%-8s %-24s %7s %7s\n", "id", "category", "AP", "AP50");
      for (size_t k = 0; k < ev->category_ids.size(); ++k) {
        int64_t id = ev->category_ids[k];
        std::printf("%-8lld %-24s %7.3f %7.3f\n", static_cast<long long>(id), names[id].c_str(), ev->category_ap(k),
                    ev->category_ap50(k));
      }
    }
    return 0;
  }

 private:
  std::string gt_path_, results_path_;
  bool json_ = false, per_class_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(MetricsCocoCommand);

}  // namespace fogline::cli
