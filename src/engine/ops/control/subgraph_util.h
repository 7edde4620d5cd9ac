// Helpers shared by If/Loop/Scan: cutting one slice out of a tensor along an axis and
// writing one into a stacked result, for any element type (strings included).
#pragma once

#include <vector>

#include "core/status.h"
#include "engine/graph.h"
#include "engine/kernel.h"
#include "engine/tensor.h"

namespace fogline::engine::ops::control {

// t[..., index, ...] along `axis`, with that axis removed (a fresh tensor).
Result<Tensor> take_slice(const Tensor& t, int axis, int64_t index);

// Copies `src` into position `index` along `axis` of `dst`; src.shape must equal dst.shape
// without that axis (checked, naming `what`).
Status put_slice(Tensor& dst, int axis, int64_t index, const Tensor& src, const std::string& what);

// A tensor safe to keep as a node output: arena views (no owner) are copied, the rest shared.
Result<Tensor> keepable(const Tensor& t);

// Shape of body output `i` when the body declares it fully, for empty stacked results.
Shape declared_shape(const Graph& body, int output, DataType* dtype);

// Reads a one-element bool/numeric tensor as a truth value.
Result<bool> read_condition(const Tensor& t, const std::string& what);

}  // namespace fogline::engine::ops::control
