// ConfigService: configuration control of minato.toml — every change detected and audited,
// and, once the terminal is in service, a change of a security setting in force only when a
// second person has approved it.
//
// The store keeps each version of the file (store::ConfigVersionRecord). The version *in
// force* is the newest one not held. Whenever the data directory is opened the file is
// compared with it, and what is in force follows the rules below; the comparison is recorded
// (audited) when `serve` starts, by the `minato config` commands, and by the jobs thread —
// never by merely opening, so that `audit verify` adds nothing to the log it checks:
//   - during setup — from `minato init` until the first start of `serve` — every edit takes
//     effect, recorded "setup" and audited (config.setup) with the difference;
//   - the first start of `serve` records the file as the baseline (config.baseline): control
//     begins, and from then on:
//   - the same text: nothing happens;
//   - only operational settings differ (config/config.h, settings()): the file is in force,
//     recorded "file" and audited config.changed with the difference;
//   - security settings differ: the rest of the file takes effect, but each security setting
//     keeps the value of the version in force. The file is recorded "held" (once per text),
//     audited config.held with the difference, and security staff are alerted.
// While `serve` runs, the jobs thread reads the file on each pass (check_file): a change is
// recorded the same way and the console says a restart is needed (settings are read at
// start).
//
// The two-person rule: `propose` (config.write) files an approval request of kind
// config.change carrying the whole new text and its difference from the version in force
// (the file's held changes included, so the approver sees everything that will take effect);
// a security officer who is not the proposer approves it (AccessService::approve); `apply`
// (config.write) writes it to minato.toml — only if the file is still the text the proposal
// was made from — and records it as the version in force, "approved" with the approval's id.
// Proposals and applying are frozen while an incident freezes privileged changes (G3.1-c).
//
// view() is the running configuration with where each value came from: its default, a line
// of minato.toml (and the version that brought the value: setup, the baseline, a file edit,
// or an approval, by whom), a flag of this run, or held (the file says otherwise, not
// approved). REQUIRES config.read, change.approve or audit.read.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "access/roles.h"
#include "config/config.h"
#include "store/store.h"

namespace minato::app {

class Runtime;

inline constexpr std::string_view kConfigChangeKind = "config.change";

// The file as it was read when the data directory was opened, against the version in force.
struct ConfigReading {
  std::string text;
  std::string sha256;        // hex, of `text`
  config::Config file;       // what the file says
  config::Config effective;  // what is in force: the file, held settings excepted
  std::optional<store::ConfigVersionRecord> in_force;
  bool controlled = false;  // `serve` has started here: security changes need approval
  std::string restored;     // set by a restore that rewrote the file (RuntimeOptions)
  std::vector<config::SettingChange> changes;  // from the version in force to the file
  std::vector<config::SettingChange> held;     // the security ones among them
};

struct SettingView {
  std::string name;
  std::string value;  // in force in this process
  std::string default_value;
  bool security = true;
  std::string source;      // "default" | "file" | "flag" | "held"
  int line = 0;            // of minato.toml; 0 when the file does not give it
  std::string file_value;  // what the file says, when it is not what is in force
  // The version that brought the value now in force (0 for a default never changed).
  int64_t version_id = 0;
  std::string version_kind;
  int64_t approval_id = 0;
  int64_t since_us = 0;
  std::string by;
};

struct ConfigView {
  std::vector<SettingView> settings;
  std::string file_sha256;     // minato.toml as it is now
  std::string running_sha256;  // as this process read it
  std::string in_force_sha256;
  bool restart_needed = false;                       // the file changed since this process read it
  std::vector<config::SettingChange> held;           // of the file as it is now
  std::vector<store::ConfigVersionRecord> versions;  // newest first, without their text
  std::vector<store::ApprovalRecord> proposals;      // pending or approved, newest first
};

struct ConfigProposal {
  int64_t approval_id = 0;
  std::string sha256;  // of the proposed text
  std::vector<config::SettingChange> changes;
};

// Who reads the configuration and the key inventory: config.read, change.approve or
// audit.read. The first of them `actor` holds (config.read when none: the refusal names it).
access::Permission config_reader_permission(const access::Actor& actor);

class ConfigService {
 public:
  explicit ConfigService(Runtime& rt) : rt_(rt) {}

  // Reads minato.toml at `path` and compares it with the version in force in `store`.
  static Result<ConfigReading> read(const std::string& path, store::Store& store);

  // Records `reading` (Runtime::open, once the write path is up): a setup edit, a file edit,
  // or a held file (once per text), audited; a held file alerts security staff. Keeps it as
  // what this process runs.
  Status record(const ConfigReading& reading);
  // The same in two steps, for a restore that records only once the restored log is verified
  // and rolled forward (RuntimeOptions::record_config).
  void set_running(const ConfigReading& reading);
  Status record_running();
  // `serve` at its start: the first start records the file as the baseline (control begins).
  Status start_serving();

  // The jobs thread: reads the file again and records a change as record() does. Returns
  // true when the file differs from what this process is running.
  Result<bool> check_file();

  // `changes` ("table.key" -> value) applied to the file as it is now; with none, the file as
  // it stands is proposed (its held changes). REQUIRES config.write; the result must differ
  // from the version in force.
  Result<ConfigProposal> propose(const access::Actor& actor,
                                 const std::vector<std::pair<std::string, std::string>>& changes,
                                 const std::string& reason);
  // Writes approved proposal `approval_id` to minato.toml and records it in force.
  // REQUIRES config.write. Takes effect at the next start of `serve`.
  Result<ConfigProposal> apply(const access::Actor& actor, int64_t approval_id);

  Result<ConfigView> view(const access::Actor& actor);
  // One version, with its text. Same permission as view().
  Result<store::ConfigVersionRecord> version(const access::Actor& actor, int64_t id);

  // Where minato.toml is (the data directory's).
  std::string path() const;

 private:
  Status record_locked(const ConfigReading& reading, const std::string& actor_name);
  Status can_read(const access::Actor& actor);

  Runtime& rt_;
  std::mutex mu_;
  ConfigReading running_;         // the file as this process read it at start
  std::string last_seen_sha256_;  // the file as the jobs thread last saw it
};

}  // namespace minato::app
