#include "common/result.h"

namespace minato {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kPermissionDenied:
      return "permission_denied";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kFailedPrecondition:
      return "failed_precondition";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDataLoss:
      return "data_loss";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
      return 409;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kResourceExhausted:
      return 429;
    case ErrorCode::kFailedPrecondition:
      return 412;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
      return 500;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

// Exit codes follow sysexits(3) where one fits, so scripts can tell failures apart.
int exit_code(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 64;  // EX_USAGE / bad input
    case ErrorCode::kNotFound:
      return 66;  // EX_NOINPUT
    case ErrorCode::kAlreadyExists:
      return 73;  // EX_CANTCREAT
    case ErrorCode::kConflict:
      return 75;  // EX_TEMPFAIL-like: state conflict
    case ErrorCode::kUnauthenticated:
      return 77;  // EX_NOPERM
    case ErrorCode::kPermissionDenied:
      return 77;  // EX_NOPERM
    case ErrorCode::kResourceExhausted:
      return 75;  // EX_TEMPFAIL
    case ErrorCode::kFailedPrecondition:
      return 78;  // EX_CONFIG
    case ErrorCode::kUnavailable:
      return 75;  // EX_TEMPFAIL
    case ErrorCode::kDataLoss:
      return 65;  // EX_DATAERR
    case ErrorCode::kInternal:
      return 70;  // EX_SOFTWARE
  }
  return 70;
}

}  // namespace minato
