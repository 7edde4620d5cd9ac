// The model `make demo` writes itself: a small image classifier (Conv+BN+Relu, pooling,
// residual Add, Gemm, Softmax) with deterministic weights, so the demo and the tests need no
// downloaded file to exercise import, passes, planning and kernels.
#pragma once

#include <string>

namespace fogline::cli {

// Serialised ONNX bytes of the demo classifier: input "image" float32[1,3,32,32],
// output "probabilities" float32[1,10].
std::string make_demo_classifier();

}  // namespace fogline::cli
