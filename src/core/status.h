// Status and Result<T>: how every fallible function in Fogline reports failure.
// Messages name the thing that was wrong (file, field, op, node, expected vs got) because
// the person reading them is usually far away from the machine that produced them.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace fogline {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is wrong (bad model, bad shape, bad JSON)
  kNotFound,
  kUnsupported,      // valid input the engine cannot handle (yet)
  kOutOfRange,
  kResourceExhausted,  // allocation too big, disk full
  kIoError,
  kInternal,
};

const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>"
  std::string to_string() const;

  // Adds context in front of the message: "loading model.onnx: <old message>".
  Status with_context(const std::string& context) const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status invalid_argument(std::string message);
Status not_found(std::string message);
Status unsupported(std::string message);
Status out_of_range(std::string message);
Status resource_exhausted(std::string message);
Status io_error(std::string message);
Status internal_error(std::string message);

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).is_ok() && "Result built from an ok Status");
  }

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace fogline

#define FOGLINE_CONCAT_INNER(a, b) a##b
#define FOGLINE_CONCAT(a, b) FOGLINE_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` failed.
#define FOGLINE_TRY(expr)                                   \
  do {                                                      \
    ::fogline::Status fogline_status_ = (expr);             \
    if (!fogline_status_.is_ok()) return fogline_status_;   \
  } while (0)

#define FOGLINE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.is_ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// FOGLINE_ASSIGN_OR_RETURN(auto x, function_returning_result());
#define FOGLINE_ASSIGN_OR_RETURN(lhs, expr) \
  FOGLINE_ASSIGN_OR_RETURN_IMPL(FOGLINE_CONCAT(fogline_result_, __LINE__), lhs, expr)
