// A compliance check: one function per guideline item that reads the running system and says
// whether the item holds — pass, partial, fail, evidence-needed or not-applicable — with the
// reason in English and Japanese and the values it looked at. Checks read; they never change
// anything (the ComplianceService records each run and report as audited commands).
//
// Each area keeps its checks in its own file of this folder (checks_identity.cpp for the
// accounts and their authentication, checks_resilience.cpp for backups and drills, ...), each
// function named by the item's ID (G2_1_1_b), registered by the area's *_checks() function,
// so that a new control brings its check with it. checks_test.cpp proves that every item of the
// catalogue has exactly one check.
//
// A check of a P+O or O item judges the product's part only (an O item's check may find
// nothing to judge and return kNotApplicable with the values it saw, e.g. the listeners a
// firewall rule set must allow); ComplianceService combines it with the evidence register.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/roles.h"
#include "common/result.h"

namespace minato::app {
class Runtime;
}
namespace minato::store {
class ReadTxn;
struct UserRecord;
struct RoleRule;
}  // namespace minato::store

namespace minato::app::compliance {

enum class ItemStatus { kPass, kPartial, kFail, kEvidenceNeeded, kNotApplicable };
std::string_view to_string(ItemStatus s);  // "pass", "partial", "fail", "evidence-needed", ...
std::optional<ItemStatus> parse_status(std::string_view s);
// Worst first: fail, partial, evidence-needed, pass, not-applicable (for sorting and totals).
int severity(ItemStatus s);

struct Text {
  std::string en;
  std::string ja;
};

// One value a check looked at: a setting, a count, an age.
struct Value {
  std::string name;  // "accounts_without_second_factor", "auth.lockout_threshold"
  std::string value;
};

struct Outcome {
  ItemStatus status = ItemStatus::kFail;
  Text reason;
  std::vector<Value> values;
};

// What a check reads: the runtime (configuration, keys, services' state) and one read
// snapshot of the store, with the accounts loaded once for every check that needs them.
class Facts {
 public:
  Facts(Runtime& rt, store::ReadTxn& r, int64_t now_us) : rt_(rt), r_(r), now_us_(now_us) {}
  Runtime& rt() { return rt_; }
  store::ReadTxn& read() { return r_; }
  int64_t now_us() const { return now_us_; }
  // The accounts (loaded at the first call). A read error makes every check that needs them
  // fail with the error as its reason.
  const Result<std::vector<store::UserRecord>>& users();
  const Result<std::vector<store::RoleRule>>& role_rules();
  // Enabled accounts (not disabled, not past valid_until) that can log in with a password.
  std::vector<const store::UserRecord*> active_users();
  // The outcomes of the checks run before this one (for Check::last), by ID.
  const std::vector<std::pair<std::string, Outcome>>& earlier() const { return earlier_; }
  void add_earlier(std::string id, Outcome o) {
    earlier_.emplace_back(std::move(id), std::move(o));
  }

 private:
  Runtime& rt_;
  store::ReadTxn& r_;
  int64_t now_us_;
  std::optional<Result<std::vector<store::UserRecord>>> users_;
  std::optional<Result<std::vector<store::RoleRule>>> rules_;
  std::vector<std::pair<std::string, Outcome>> earlier_;
};

using CheckFn = std::function<Outcome(Facts&)>;

struct Check {
  std::string_view id;  // the guideline ID
  CheckFn fn;
  // Audit actions (exact, or a prefix ending in '.') whose events can change this check's
  // outcome: when the item regresses, the newest of them since the last run is named as the
  // change that caused it ("config." covers a change of minato.toml).
  std::vector<std::string> causes;
  // Runs after every other check and may read their outcomes (Facts::earlier): A1.2.2.
  bool last = false;
};

// The checks of each area (one file each).
void identity_checks(std::vector<Check>& out);
void network_checks(std::vector<Check>& out);
void crypto_checks(std::vector<Check>& out);
void resilience_checks(std::vector<Check>& out);
void audit_checks(std::vector<Check>& out);
void secops_checks(std::vector<Check>& out);
void incident_checks(std::vector<Check>& out);
void annex_checks(std::vector<Check>& out);

// Every check, in the catalogue's order.
const std::vector<Check>& all_checks();

// Helpers for writing checks.
Outcome pass(Text reason, std::vector<Value> values = {});
Outcome partial(Text reason, std::vector<Value> values = {});
Outcome failed(Text reason, std::vector<Value> values = {});
Outcome not_applicable(Text reason, std::vector<Value> values = {});
// A check that could not read what it needs fails, saying what.
Outcome read_error(const Error& e);
Value value(std::string name, int64_t v);
Value value(std::string name, std::string v);
Value value_bool(std::string name, bool v);
// "a, b, c, …": the first `most` of `names`, for a reason that names what fails.
std::string names_of(const std::vector<std::string>& names, size_t most = 5);
// The actor a check uses for a service read that needs config.read (scanner, key inventory).
access::Actor config_reader();
// The outcome of a backup item while `minato backup init` has not been run.
Outcome backups_not_set_up();
// "3 days", "2 h", "45 s" (English) and "3日" ... (Japanese) of an age in microseconds.
std::string age_en(int64_t us);
std::string age_ja(int64_t us);

}  // namespace minato::app::compliance
