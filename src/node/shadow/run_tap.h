// What a request hands the shadow side after production answered: the inputs production ran
// on, its outputs, and the preprocessing transform (detections are decoded onto the original
// image). Called on the request thread; the callee copies what it keeps and returns at once.
#pragma once

#include <functional>
#include <vector>

#include "engine/tensor.h"
#include "processing/preprocess.h"

namespace fogline::node {

using RunTap = std::function<void(const std::vector<engine::Tensor>& inputs, const std::vector<engine::Tensor>& outputs,
                                  const processing::ImageTransform& transform)>;

}  // namespace fogline::node
