// Containment: the measures an open incident has put in force (G3.1-c), as every part of the
// running server asks about them — whether API tokens are suspended, vendors shut out,
// privileged changes frozen, terminal commands stopped, and which sources the listener still
// admits. The store's `containment` table is the truth (IncidentService writes it in audited
// commands); this object mirrors it in memory so that the checks on every request cost a
// lock and a bit test. IncidentService refreshes it after each of its commands and, for
// changes made by the CLI beside a running server, from the store every second.
//
// Measures:
//   sessions    every session ended except security staff's (a one-off at its `since`)
//   tokens      API tokens of line and haulier clients refused
//   vendors     maintenance vendors refused, their windows suspended
//   listener    new connections only from the break-glass sources (incident.break_glass_sources)
//   freeze      privileged changes (requests, approvals, executions) refused
//   operations  terminal commands (gate, yard, vessel, units, EDI, appointments) refused
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/roles.h"
#include "identity/source_rules.h"
#include "store/store.h"

namespace minato::app {

struct CommandSpec;

enum class Measure : uint8_t { kSessions, kTokens, kVendors, kListener, kFreeze, kOperations };
inline constexpr std::array<Measure, 6> kAllMeasures = {Measure::kSessions, Measure::kTokens,
                                                        Measure::kVendors,  Measure::kListener,
                                                        Measure::kFreeze,   Measure::kOperations};

std::string_view to_string(Measure m);
std::optional<Measure> measure_from(std::string_view name);
// The roles whose sessions the `sessions` measure keeps (security staff and auditors).
bool security_staff_role(std::string_view role);
// True for the permissions of terminal commands, which the `operations` measure stops.
bool operational_permission(access::Permission p);

class Containment {
 public:
  // `break_glass`: the sources the listener admits while `listener` is in force (127.0.0.1 and
  // ::1 are always among them, so the server's own host can still reach it).
  explicit Containment(identity::SourceRules break_glass) : break_glass_(std::move(break_glass)) {}

  // Replaces the mirror with the rows in force.
  void load(const std::vector<store::ContainmentRecord>& rows);
  std::optional<store::ContainmentRecord> in_force(Measure m) const;
  bool on(Measure m) const { return in_force(m).has_value(); }
  std::vector<store::ContainmentRecord> all() const;
  // Whether the listener admits `source` (always, unless `listener` is in force).
  bool admits(const std::string& source) const;
  // The refusal for a request while `m` is in force ("" when it is not).
  std::string refusal(Measure m) const;

 private:
  const identity::SourceRules break_glass_;
  mutable std::mutex mu_;
  std::array<std::optional<store::ContainmentRecord>, kAllMeasures.size()> rows_;
};

// The refusal of a command while containment is in force ("" when it may run): terminal
// commands under `operations`; requests, approvals and executions of privileged changes
// (configuration changes applied too),
// account creation, re-enabling, unlocking and credential resets, token issue and rotation,
// and ending source blocks under `freeze`. What only takes access away (disable, revoke, end
// sessions, stop a maintenance window, reject a request) is never frozen.
std::string containment_refusal(const Containment& c, const CommandSpec& spec);

}  // namespace minato::app
