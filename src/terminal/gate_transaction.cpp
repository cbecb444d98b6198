#include "terminal/gate_transaction.h"

#include <cctype>

namespace minato::terminal {

std::string_view to_string(GateDirection d) { return d == GateDirection::kIn ? "in" : "out"; }

std::string_view to_string(GateStatus s) {
  switch (s) {
    case GateStatus::kOpen:
      return "open";
    case GateStatus::kCompleted:
      return "completed";
    case GateStatus::kCancelled:
      return "cancelled";
  }
  return "open";
}

Result<GateTransaction> GateTransaction::open(GateDirection direction, ContainerId container,
                                              std::string_view truck_plate) {
  std::string plate;
  for (char c : truck_plate) {
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!((u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == ' ' || u == '-')) {
      return fail(ErrorCode::kInvalidArgument,
                  "truck plate may contain only letters, digits, space and '-'", "truck_plate");
    }
    plate.push_back(u);
  }
  if (plate.empty() || plate.size() > 16) {
    return fail(ErrorCode::kInvalidArgument, "truck plate must be 1-16 characters", "truck_plate");
  }
  return GateTransaction(direction, std::move(container), std::move(plate));
}

Status GateTransaction::complete() {
  if (status_ != GateStatus::kOpen) {
    return fail(ErrorCode::kConflict,
                "gate transaction is already " + std::string(to_string(status_)));
  }
  status_ = GateStatus::kCompleted;
  return ok();
}

Status GateTransaction::cancel(std::string_view reason) {
  if (status_ != GateStatus::kOpen) {
    return fail(ErrorCode::kConflict,
                "gate transaction is already " + std::string(to_string(status_)));
  }
  if (reason.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a cancelled gate transaction needs a reason",
                "reason");
  }
  status_ = GateStatus::kCancelled;
  cancel_reason_ = std::string(reason);
  return ok();
}

}  // namespace minato::terminal
