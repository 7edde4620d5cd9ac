// The plot `fogline optimize` writes: each candidate as a point, latency (x) against the
// tolerance's metric (y), the fp32 baseline's tolerance floor as a dashed line and the chosen
// candidate ringed. Plain SVG text, like src/eval/plots (no plotting dependency).
#pragma once

#include <string>
#include <vector>

#include "optimize/candidates.h"

namespace fogline::optimize {

std::string svg_accuracy_latency(const std::string& title, const std::vector<Candidate>& candidates, const Tolerance& tolerance,
                                 size_t chosen);

}  // namespace fogline::optimize
