// GateService: the gate's planning and records around each interchange — appointment slots
// with a capacity, truck appointments, trucks from arrival to exit (the turn time), and the
// equipment interchange receipt (EIR) of every gate transaction as HTML and PDF.
//
// The gate-in and gate-out themselves are TerminalService's (they change the yard); they call
// check_arrival() inside their command, so an appointment is used, and a truck's visit
// matched, in the same transaction as the move.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/write_path.h"
#include "store/store.h"
#include "terminal/container_id.h"
#include "terminal/gate_transaction.h"

namespace minato::app {

struct GateSettings {
  std::string terminal_name = "Minato container terminal";
  int utc_offset_s = 9 * 3600;  // the EIR prints local time
  // With appointments required, a truck is served only against a booked appointment for the
  // container and direction whose slot (widened by the grace period) covers its arrival.
  bool appointments_required = false;
  int appointment_grace_minutes = 30;
  // Wrong release PINs given for one unit before the gate stops trying it; the line must then
  // issue a new PIN.
  int pin_attempts = 5;
};

// A run of equal slots: [from, to) cut into `minutes`-long slots of `capacity` trucks.
struct SlotRun {
  int64_t from_us = 0;
  int64_t to_us = 0;
  int minutes = 60;
  int capacity = 0;
};

struct AppointmentRequest {
  int64_t slot_start_us = 0;
  terminal::GateDirection direction = terminal::GateDirection::kIn;
  terminal::ContainerId container_id;
  std::string truck_plate;
  std::string haulier;  // a haulier_client's own code when empty
};

struct TruckArrival {
  std::string truck_plate;
  std::string haulier;
  std::string lane;  // a gate lane of the layout, or empty
};

struct TurnTimes {
  int64_t trucks = 0;  // exited in the period
  double mean_s = 0, p50_s = 0, p90_s = 0, max_s = 0;
  int64_t inside = 0;  // arrived and not exited now
};

struct Eir {
  std::string content_type;
  std::string body;
  std::string filename;
};

// What a gate transaction is matched with (0: nothing).
struct Arrival {
  int64_t truck_visit_id = 0;
  int64_t appointment_id = 0;
};

// Inside a gate-in or gate-out command: checks the truck's registered visit (when given) and
// finds its appointment (the one given, or the container's booked one for this direction).
// Refuses a visit that has exited or is another truck's, an appointment of another container
// or direction, one whose slot does not cover the arrival, and, when appointments are
// required, a truck without one.
Result<Arrival> check_arrival(store::ReadTxn& tx, const GateSettings& settings,
                              terminal::GateDirection direction, const std::string& container_id,
                              const std::string& truck_plate, int64_t truck_visit_id,
                              int64_t appointment_id, int64_t now_us);

class GateService {
 public:
  GateService(store::Store& store, WritePath& writes, GateSettings settings);

  const GateSettings& settings() const { return settings_; }

  // Slots: created or re-sized in one audited command; a slot that would overlap another of a
  // different length, or a capacity below what is already booked, is refused.
  Result<std::vector<store::GateSlotRecord>> define_slots(const access::Actor& actor,
                                                          const SlotRun& run);
  Result<std::vector<store::GateSlotRecord>> slots(const access::Actor& actor, int64_t from_us,
                                                   int64_t to_us);

  Result<store::AppointmentRecord> book(const access::Actor& actor, AppointmentRequest req);
  Result<store::AppointmentRecord> appointment(const access::Actor& actor, int64_t id);
  Result<store::AppointmentRecord> cancel(const access::Actor& actor, int64_t id);

  Result<store::TruckVisitRecord> truck_arrived(const access::Actor& actor, TruckArrival req);
  Result<store::TruckVisitRecord> truck_exited(const access::Actor& actor, int64_t id);
  Result<store::TruckVisitRecord> truck_visit(const access::Actor& actor, int64_t id);
  // The gate queue: trucks registered at arrival that have not exited, the longest waiting
  // first (at most `limit`, 1..500), and how many are inside in all.
  struct TrucksInside {
    std::vector<store::TruckVisitRecord> trucks;
    int64_t inside = 0;
  };
  Result<TrucksInside> trucks_inside(const access::Actor& actor, int limit);
  Result<TurnTimes> turn_times(const access::Actor& actor, int64_t from_us, int64_t to_us);

  // The EIR of gate transaction `gate_id`: "html" or "pdf".
  Result<Eir> eir(const access::Actor& actor, int64_t gate_id, const std::string& format);

 private:
  Status require(const access::Actor& actor, access::Permission p) const;
  Status haulier_scope(const access::Actor& actor, const store::AppointmentRecord& a) const;

  store::Store& store_;
  WritePath& writes_;
  GateSettings settings_;
};

}  // namespace minato::app
