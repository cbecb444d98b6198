// Result<T>: a value or an Error with a canonical code and a message for a person.
//
// Minato reports every failure caused by input or the environment as a value, never as an
// exception on the request path. The code decides how the failure is presented: one mapping
// to HTTP status (http_status) and one to CLI exit codes (exit_code), both in error.cpp.
//
//   Result<ContainerId> id = ContainerId::parse(text);
//   if (!id) return id.error();            // propagate
//   use(*id);
//
//   Status s = store.commit();             // Result<void>
//   if (!s) log(s.error().message());
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace minato {

enum class ErrorCode {
  kInvalidArgument,     // the input is malformed or violates a rule; names the field
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // a thing with that identity exists
  kConflict,            // the state does not allow this now (e.g. gate-out of a unit not in yard)
  kUnauthenticated,     // no valid credentials
  kPermissionDenied,    // authenticated, but not allowed
  kResourceExhausted,   // a limit was reached (rate, size, queue)
  kFailedPrecondition,  // the system is not in a state to do this (e.g. database newer than binary)
  kUnavailable,         // transient: try again (database locked, shutting down)
  kDataLoss,            // stored data is corrupt or has been tampered with
  kInternal,            // a bug or an unexpected environment failure
};

std::string_view to_string(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message, std::string field = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  ErrorCode code() const { return code_; }
  // A sentence for a person: what went wrong and where. Never contains secrets or internals
  // that the HTTP layer must not reveal (those are logged, and kInternal is shown generically).
  const std::string& message() const { return message_; }
  // For input errors: the name of the offending field ("container_id"), else empty.
  const std::string& field() const { return field_; }

 private:
  ErrorCode code_;
  std::string message_;
  std::string field_;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message, std::string field = {}) {
  return tl::unexpected<Error>(Error(code, std::move(message), std::move(field)));
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }
inline Status ok() { return {}; }

// The one mapping from codes to HTTP status codes.
int http_status(ErrorCode code);
// The one mapping from codes to process exit codes (sysexits-like; 0 is success).
int exit_code(ErrorCode code);

}  // namespace minato

// Propagates an error from an expression returning Result<...>.
#define MINATO_TRY(expr)                                                                   \
  do {                                                                                     \
    auto minato_try_status_ = (expr);                                                      \
    if (!minato_try_status_) return ::minato::fail(std::move(minato_try_status_).error()); \
  } while (0)
