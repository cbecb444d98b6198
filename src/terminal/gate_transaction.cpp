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

std::optional<GateDirection> gate_direction_from(std::string_view s) {
  if (s == "in") return GateDirection::kIn;
  if (s == "out") return GateDirection::kOut;
  return std::nullopt;
}

std::optional<GateStatus> gate_status_from(std::string_view s) {
  for (auto st : {GateStatus::kOpen, GateStatus::kCompleted, GateStatus::kCancelled}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

bool valid_haulier(std::string_view code) {
  if (code.size() < 2 || code.size() > 12) return false;
  for (char c : code) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

Result<std::string> normalise_truck_plate(std::string_view truck_plate) {
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
  return plate;
}

Result<GateTransaction> GateTransaction::open(GateDirection direction, ContainerId container,
                                              std::string_view truck_plate) {
  auto plate = normalise_truck_plate(truck_plate);
  if (!plate) return fail(plate.error());
  return GateTransaction(direction, std::move(container), std::move(*plate));
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
