// The demo terminal and load generator: a deterministic, realistic day of a mid-size container
// terminal — 20 yard blocks of 30,000 TEU, 3 berths, 8 gate lanes, 3 vessel visits of 2,000 to
// 5,000 moves each, a yard filled to a share of its capacity, and a day of gate traffic with
// appointments. `minato demo` loads it; the benchmarks load it and replay its traffic.
//
// Everything follows from the seed. Container numbers follow a pattern that load scripts can
// compute too (bench/wrk/mixed.lua): unit n of a group is OWNER + 'U' + 6-digit serial + check
// digit, with OWNER = kOwners[n % 8] and serial = group base + n.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "app/runtime.h"
#include "store/store.h"
#include "terminal/layout.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"

namespace minato::sim {

inline constexpr const char* kOwners[8] = {"ONE", "MSK", "CSQ", "MWC", "TGH", "EGH", "NYK", "HLX"};
// Serial bases of the groups of units.
inline constexpr int kYardBase = 100000;       // in the yard when the day starts
inline constexpr int kDischargeBase = 400000;  // on the vessels (discharge lists)
inline constexpr int kExportBase = 600000;     // exports that arrive at the gate during the day
inline constexpr int kEmptyInBase = 800000;    // empties returned at the gate during the day

// The container number of unit `n` of the group with serial base `base`.
terminal::ContainerId container(int base, int n);

struct ScenarioOptions {
  uint32_t seed = 20231;
  int64_t start_us = 0;     // the day's start (a whole hour)
  double yard_fill = 0.55;  // share of the yard's TEU in use when the day starts
  int min_moves = 2000;     // per vessel visit (discharge + load)
  int max_moves = 5000;
  int gate_moves = 3600;    // truck moves during the day (in and out)
  int slot_capacity = 320;  // trucks per one-hour appointment slot
};

struct GateMove {
  int64_t at_us = 0;
  terminal::GateDirection direction = terminal::GateDirection::kIn;
  std::string container_id;
  std::string truck_plate;
  std::string haulier;
  std::string pin;  // an import delivery's release PIN
  // A unit not advised before (an empty returned): described at the gate.
  std::optional<terminal::UnitSpec> unit;
};

struct Scenario {
  terminal::TerminalLayout layout;
  std::vector<terminal::VesselVisitSpec> visits;  // the first is alongside and working
  std::vector<store::BookingRecord> bookings;
  std::vector<terminal::UnitSpec> yard;     // gated in before the day starts
  std::vector<terminal::UnitSpec> advised;  // discharge lists and the day's exports
  std::vector<std::string> discharged;      // of the first visit's list, already in the yard
  std::vector<std::pair<std::string, std::string>> pins;  // (container, PIN) released by lines
  std::vector<GateMove> gate_day;                         // in time order
  int slot_capacity = 0;                                  // trucks per one-hour appointment slot
  int64_t yard_teu = 0;
};

// The layout alone (also in demo/layout.json; a test keeps the two equal).
terminal::TerminalLayout demo_layout();
Scenario make_scenario(const ScenarioOptions& options);

struct LoadReport {
  int64_t units_in_yard = 0;
  int64_t units_advised = 0;
  int64_t discharged = 0;
  int64_t pins = 0;
  int64_t appointments = 0;
  int64_t skipped = 0;  // placements the yard's rules refused (no slot left that fits)
  double seconds = 0;
};

// Loads the scenario into an open runtime through its services (every write audited), with
// `threads` callers in parallel so the write path batches them. `progress` (may be empty) is
// told what is being loaded.
Result<LoadReport> load_scenario(app::Runtime& rt, const Scenario& s, int threads,
                                 const std::function<void(const std::string&)>& progress = {});

}  // namespace minato::sim
