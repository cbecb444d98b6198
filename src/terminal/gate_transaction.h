// GateTransaction: a truck passing the gate to deliver (in) or collect (out) a container.
//
// A transaction is opened with the truck's plate and the container, then completed when the
// unit has been received or released, or cancelled (the truck is turned away).
//   open -> completed | cancelled
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "terminal/container_id.h"

namespace minato::terminal {

enum class GateDirection { kIn, kOut };
enum class GateStatus { kOpen, kCompleted, kCancelled };

std::string_view to_string(GateDirection d);
std::string_view to_string(GateStatus s);
std::optional<GateDirection> gate_direction_from(std::string_view s);
std::optional<GateStatus> gate_status_from(std::string_view s);

// Truck plate: 1-16 characters of A-Z, 0-9, space and '-'; normalised to upper case.
Result<std::string> normalise_truck_plate(std::string_view plate);
// A haulier's code: 2-12 characters of A-Z and 0-9 (the scope of a haulier_client account).
bool valid_haulier(std::string_view code);

class GateTransaction {
 public:
  // Truck plate: 1-16 characters of A-Z, 0-9, space and '-'; normalised to upper case.
  static Result<GateTransaction> open(GateDirection direction, ContainerId container,
                                      std::string_view truck_plate);
  Status complete();
  Status cancel(std::string_view reason);

  GateDirection direction() const { return direction_; }
  const ContainerId& container() const { return container_; }
  const std::string& truck_plate() const { return truck_plate_; }
  GateStatus status() const { return status_; }
  const std::string& cancel_reason() const { return cancel_reason_; }

 private:
  GateTransaction(GateDirection d, ContainerId c, std::string plate)
      : direction_(d), container_(std::move(c)), truck_plate_(std::move(plate)) {}
  GateDirection direction_;
  ContainerId container_;
  std::string truck_plate_;
  GateStatus status_ = GateStatus::kOpen;
  std::string cancel_reason_;
};

}  // namespace minato::terminal
