// Helpers shared by the sequence and optional ops: reading boxed inputs (engine/value.h) with
// errors that say what the node got, positions, and element copies for any element type.
#pragma once

#include <string>

#include "core/status.h"
#include "engine/kernel.h"
#include "engine/value.h"

namespace fogline::engine::ops::sequence {

// Input i as a sequence; an error when it is absent or not a sequence.
Result<const TensorSequence*> sequence_input(const KernelContext& ctx, int i, const std::string& what);

// Input i as a plain tensor; an error when it is absent, a sequence or an optional.
Result<const Tensor*> tensor_input(const KernelContext& ctx, int i, const std::string& what);

// A tensor that may live inside a sequence: arena views are copied (the arena is reused once
// the run moves on), owned tensors are shared.
Result<Tensor> keep_element(const Tensor& t);

// Reads a one-element int32/int64 position and maps it into [0, n) (or [0, n] with
// `allow_end`, for inserting at the back); negative positions count from the end.
Result<int64_t> read_position(const Tensor& t, int64_t n, bool allow_end, const std::string& what);

// Copies `count` elements between buffers of type `dt` (strings included).
void copy_elements(DataType dt, void* dst, int64_t dst_off, const void* src, int64_t src_off, int64_t count);

}  // namespace fogline::engine::ops::sequence
