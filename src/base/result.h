// tempus::Result<T, E>: a value or an error, the subset of C++23 std::expected that tempus uses.
//
// GCC 12 in C++20 mode has no std::expected; this shim keeps the same names (has_value, value,
// error, operator bool, operator*, operator->, value_or) so that moving to std::expected later is
// a `using` change. Untrusted input never throws: parsers return Result. Not thread-safe beyond
// what the contained types are.
#ifndef TEMPUS_BASE_RESULT_H_
#define TEMPUS_BASE_RESULT_H_

#include <type_traits>
#include <utility>
#include <variant>

#include "base/check.h"

namespace tempus {

// Wraps an error value so that Result<T, E> can be built from it unambiguously.
template <typename E>
class Unexpected {
 public:
  explicit constexpr Unexpected(E error) : error_(std::move(error)) {}
  constexpr const E& error() const& { return error_; }
  constexpr E&& error() && { return std::move(error_); }

 private:
  E error_;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

// Either a T (success) or an E (failure).
template <typename T, typename E>
class [[nodiscard]] Result {
 public:
  using value_type = T;
  using error_type = E;

  // clang-format 14 cannot lay out requires-clauses (it glues `constexpr` onto them).
  // clang-format off
  constexpr Result()
    requires std::is_default_constructible_v<T>
      : v_(std::in_place_index<0>) {}
  template <typename U = T>
    requires std::is_constructible_v<T, U&&> &&
             (!std::is_same_v<std::remove_cvref_t<U>, Result>)
  constexpr Result(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT
  // clang-format on
  template <typename G>
  constexpr Result(Unexpected<G> error)  // NOLINT: implicit like std::expected
      : v_(std::in_place_index<1>, std::move(error).error()) {}

  constexpr bool has_value() const { return v_.index() == 0; }
  constexpr explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value().
  constexpr T& value() & {
    TEMPUS_CHECK(has_value());
    return *std::get_if<0>(&v_);
  }
  constexpr const T& value() const& {
    TEMPUS_CHECK(has_value());
    return *std::get_if<0>(&v_);
  }
  constexpr T&& value() && {
    TEMPUS_CHECK(has_value());
    return std::move(*std::get_if<0>(&v_));
  }
  constexpr T& operator*() & { return value(); }
  constexpr const T& operator*() const& { return value(); }
  constexpr T* operator->() { return &value(); }
  constexpr const T* operator->() const { return &value(); }

  // REQUIRES: !has_value().
  constexpr const E& error() const& {
    TEMPUS_CHECK(!has_value());
    return *std::get_if<1>(&v_);
  }
  constexpr E&& error() && {
    TEMPUS_CHECK(!has_value());
    return std::move(*std::get_if<1>(&v_));
  }

  template <typename U>
  constexpr T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, E> v_;
};

// Result<void, E>: success carries nothing.
template <typename E>
class [[nodiscard]] Result<void, E> {
 public:
  using value_type = void;
  using error_type = E;

  constexpr Result() = default;
  template <typename G>
  constexpr Result(Unexpected<G> error)  // NOLINT: implicit like std::expected
      : ok_(false), error_(std::move(error).error()) {}

  constexpr bool has_value() const { return ok_; }
  constexpr explicit operator bool() const { return ok_; }
  constexpr void value() const { TEMPUS_CHECK(ok_); }
  // REQUIRES: !has_value().
  constexpr const E& error() const& {
    TEMPUS_CHECK(!ok_);
    return error_;
  }

 private:
  bool ok_ = true;
  E error_{};
};

}  // namespace tempus

#endif  // TEMPUS_BASE_RESULT_H_
