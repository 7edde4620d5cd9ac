#include "engine/tensor.h"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace fogline::engine {

Result<int64_t> checked_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return invalid_argument("negative dimension in shape " + shape_to_string(shape));
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / d) {
      return resource_exhausted("shape " + shape_to_string(shape) + " has too many elements");
    }
    n *= d;
  }
  return n;
}

int64_t numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string shape_to_string(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

uint64_t max_allocation_bytes() {
  static const uint64_t limit = [] {
    if (const char* env = std::getenv("FOGLINE_MAX_ALLOC_BYTES")) {
      return static_cast<uint64_t>(std::strtoull(env, nullptr, 10));
    }
    return uint64_t{16} << 30;  // 16 GiB
  }();
  return limit;
}

namespace {

struct StringArray {
  std::string* items;
  int64_t count;
};

}  // namespace

Result<Tensor> Tensor::allocate(DataType dtype, Shape shape) {
  if (dtype_size(dtype) == 0) {
    return invalid_argument(std::string("cannot allocate a tensor of type ") + dtype_name(dtype));
  }
  FOGLINE_ASSIGN_OR_RETURN(int64_t n, checked_numel(shape));
  uint64_t elem = dtype_size(dtype);
  if (n > 0 && static_cast<uint64_t>(n) > max_allocation_bytes() / elem) {
    return resource_exhausted("tensor of shape " + shape_to_string(shape) + " and type " +
                              dtype_name(dtype) + " needs more than the allocation limit of " +
                              std::to_string(max_allocation_bytes()) + " bytes");
  }
  size_t bytes = static_cast<size_t>(n) * elem;
  size_t rounded = ((bytes + 63) / 64) * 64;
  if (rounded == 0) rounded = 64;
  void* p = std::aligned_alloc(64, rounded);
  if (p == nullptr) {
    return resource_exhausted("out of memory allocating " + std::to_string(bytes) + " bytes");
  }
  std::shared_ptr<void> owner;
  if (dtype == DataType::kString) {
    auto* items = static_cast<std::string*>(p);
    for (int64_t i = 0; i < n; ++i) new (items + i) std::string();
    owner = std::shared_ptr<void>(p, [n](void* q) {
      auto* s = static_cast<std::string*>(q);
      for (int64_t i = 0; i < n; ++i) s[i].~basic_string();
      std::free(q);
    });
  } else {
    std::memset(p, 0, rounded);
    owner = std::shared_ptr<void>(p, [](void* q) { std::free(q); });
  }
  Tensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numel_ = n;
  t.data_ = p;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::view(DataType dtype, Shape shape, void* data, std::shared_ptr<void> owner) {
  Tensor t;
  t.dtype_ = dtype;
  t.numel_ = ::fogline::engine::numel(shape);
  t.shape_ = std::move(shape);
  t.data_ = data;
  t.owner_ = std::move(owner);
  return t;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor t = *this;
  t.numel_ = ::fogline::engine::numel(shape);
  t.shape_ = std::move(shape);
  return t;
}

Result<Tensor> Tensor::clone() const {
  FOGLINE_ASSIGN_OR_RETURN(Tensor t, allocate(dtype_, shape_));
  if (dtype_ == DataType::kString) {
    for (int64_t i = 0; i < numel_; ++i) t.data<std::string>()[i] = data<std::string>()[i];
  } else if (nbytes() > 0) {
    std::memcpy(t.raw(), data_, nbytes());
  }
  return t;
}

double Tensor::value_as_double(int64_t i) const {
  switch (dtype_) {
    case DataType::kFloat: return data<float>()[i];
    case DataType::kDouble: return data<double>()[i];
    case DataType::kFloat16: return static_cast<float>(data<Float16>()[i]);
    case DataType::kBFloat16: return static_cast<float>(data<BFloat16>()[i]);
    case DataType::kUInt8: return data<uint8_t>()[i];
    case DataType::kInt8: return data<int8_t>()[i];
    case DataType::kUInt16: return data<uint16_t>()[i];
    case DataType::kInt16: return data<int16_t>()[i];
    case DataType::kInt32: return data<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(data<int64_t>()[i]);
    case DataType::kUInt32: return data<uint32_t>()[i];
    case DataType::kUInt64: return static_cast<double>(data<uint64_t>()[i]);
    case DataType::kBool: return data<bool>()[i] ? 1.0 : 0.0;
    default: return 0.0;
  }
}

int64_t Tensor::value_as_int(int64_t i) const {
  switch (dtype_) {
    case DataType::kInt64: return data<int64_t>()[i];
    case DataType::kInt32: return data<int32_t>()[i];
    case DataType::kUInt64: return static_cast<int64_t>(data<uint64_t>()[i]);
    default: return static_cast<int64_t>(value_as_double(i));
  }
}

}  // namespace fogline::engine
