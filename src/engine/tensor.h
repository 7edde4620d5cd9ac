// Tensor: a typed, shaped view of bytes that it may share ownership of.
// Kernels receive inputs as const Tensor& and get their outputs from the KernelContext,
// which places them in the run's planned arena.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/dtype.h"

namespace fogline::engine {

using Shape = std::vector<int64_t>;

// Number of elements, or an error when a dimension is negative or the product overflows.
Result<int64_t> checked_numel(const Shape& shape);
int64_t numel(const Shape& shape);  // for shapes already checked
std::string shape_to_string(const Shape& shape);  // "[1,3,224,224]"

// Largest single allocation allowed; bigger requests fail with a clear error instead of
// taking the machine down ("absurd dimensions"). FOGLINE_MAX_ALLOC_BYTES overrides it.
uint64_t max_allocation_bytes();

class Tensor {
 public:
  Tensor() = default;

  // Fresh zero-filled storage, 64-byte aligned.
  static Result<Tensor> allocate(DataType dtype, Shape shape);
  // A view of `data`; `owner` keeps the bytes alive (may be null for arena memory).
  static Tensor view(DataType dtype, Shape shape, void* data, std::shared_ptr<void> owner);
  // Convenience for tests and folding: a tensor holding `values`.
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values);
  template <typename T>
  static Tensor scalar(T value) { return from_vector<T>({}, {value}); }

  bool defined() const { return dtype_ != DataType::kUndefined; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[static_cast<size_t>(i)]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return static_cast<size_t>(numel_) * dtype_size(dtype_); }

  void* raw() { return data_; }
  const void* raw() const { return data_; }
  template <typename T>
  T* data() { return static_cast<T*>(data_); }
  template <typename T>
  const T* data() const { return static_cast<const T*>(data_); }

  // Same bytes, another shape of the same element count.
  Tensor reshaped(Shape shape) const;
  // A deep copy with its own storage.
  Result<Tensor> clone() const;
  // Reads element i of any numeric type as double / int64 (shape math, printing).
  double value_as_double(int64_t i) const;
  int64_t value_as_int(int64_t i) const;
  const std::shared_ptr<void>& owner() const { return owner_; }

 private:
  DataType dtype_ = DataType::kUndefined;
  Shape shape_;
  int64_t numel_ = 0;
  void* data_ = nullptr;
  std::shared_ptr<void> owner_;
};

template <typename T>
Tensor Tensor::from_vector(Shape shape, const std::vector<T>& values) {
  auto t = allocate(DataTypeOf<T>::value, std::move(shape));
  Tensor out = std::move(t).value();
  T* d = out.data<T>();
  for (size_t i = 0; i < values.size() && static_cast<int64_t>(i) < out.numel(); ++i) d[i] = values[i];
  return out;
}

}  // namespace fogline::engine
