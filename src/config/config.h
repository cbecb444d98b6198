// Config: minato.toml in the data directory, written by `minato init`, read by `serve`.
// Flags override the file. Unknown keys and out-of-range values are refused with the key's
// name, so a typo never silently leaves a default in force. There is no setting that weakens
// TLS, turns off MFA or audit: such keys do not exist (G2.3-b: no unsafe mode).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace minato::config {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8443";
  // G2.1.1-a: CIDR list of sources the listener accepts, checked before any TLS work; empty
  // accepts every source (accounts may still be bound to their own sources).
  std::string allow_sources;
  int max_connections = 512;
  int max_connections_per_source = 32;
  int header_limit_bytes = 8 * 1024;
  int body_limit_bytes = 1024 * 1024;
  int handshake_timeout_s = 10;
  int request_timeout_s = 15;  // whole request (headers and body) must arrive within this
  int keepalive_timeout_s = 30;
  int worker_threads = 8;  // API handlers (they wait on the write path)
  // G2.6.1-d: /metrics, /healthz and /readyz over TLS on their own listener ("" = none),
  // reachable only from these sources.
  std::string management_listen = "127.0.0.1:9443";
  std::string management_allow_sources = "127.0.0.0/8,::1/128";
  // [login]
  int login_threads = 2;  // Argon2id verification pool
  int login_queue = 32;
  int lockout_threshold = 5;                 // G2.1.1-e
  int lockout_seconds = 900;                 // the first lock; each further lock doubles it ...
  int lockout_max_seconds = 86400;           // ... up to this
  int source_failure_threshold = 20;         // G2.2.2-f: failed logins from one address ...
  int source_window_s = 600;                 // ... within this window ...
  int source_block_s = 900;                  // ... block the address for this long
  int max_sessions_per_user = 3;             // G2.2.1-d
  std::string session_limit = "end_oldest";  // or "refuse_new"
  int inactive_days = 90;                    // G2.2.2-g: accounts unused this long are disabled
  int session_idle_s = 900;
  int session_absolute_s = 8 * 3600;
  int enrolment_hours = 72;
  int step_up_seconds = 300;      // G2.1.2-a: how long a proved second factor counts as recent
  int password_max_days = 0;      // G2.2.2-c: optional maximum password age; 0 = none       //
                                  // G2.1.1-d/i: enrolment and reset links expire after this
  int new_source_prefix_v4 = 32;  // G2.1.1-f: sources are compared as networks of this size
  int new_source_prefix_v6 = 64;
  // [tls]
  std::string tls_cert = "tls/cert.pem";  // relative to the data directory
  std::string tls_key = "tls/key.pem";
  // [terminal]
  // The terminal's local time as an offset from UTC; login time windows are in local time.
  std::string utc_offset = "+09:00";
  std::string terminal_name = "Minato container terminal";  // printed on every EIR
  // The gate: "optional" (a booked appointment is used when the truck has one) or "required".
  std::string appointments = "optional";
  int appointment_grace_minutes = 30;  // a truck may arrive this early or late for its slot
  int pin_attempts = 5;                // wrong release PINs per unit before the PIN is dead
  // This terminal's UN/LOCODE ("JPNGO"): a bay plan's containers discharge here when their
  // port of discharge (LOC+11) is this one.
  std::string locode;
  // [intake] G2.7.1-c/d: files from outside are quarantined, typed and scanned by clamd.
  std::string clamd = "unix:/run/clamav/clamd.ctl";  // or tcp:scanner-host:3310
  std::string quarantine_dir = "quarantine";         // relative to the data directory
  int intake_max_mb = 64;
  int signature_max_age_days = 3;
  std::string signature_age_action = "refuse";  // or "warn"
  int scan_timeout_s = 60;
  // G2.7.1-b: where `minato scanner install` puts signature files for clamd (its
  // DatabaseDirectory; "" = not on this host), and ClamAV's sigtool that checks them first.
  std::string signature_dir;
  std::string sigtool = "/usr/bin/sigtool";
  // [webauthn] G2.1.1-b: the relying party the console is served as.
  std::string webauthn_rp_id = "localhost";
  std::string webauthn_origin = "https://localhost:8443";
  std::string webauthn_user_verification = "preferred";  // or "required" (PIN/biometrics)
  // [notify] G2.1.1-f: where security alerts go. Mail needs smtp_url; without it alerts stay
  // queued (and visible) until it is set.
  std::string smtp_url;  // smtp://host:587 (STARTTLS required) or smtps://host:465
  std::string smtp_from = "minato@localhost.localdomain";
  std::string smtp_user;
  std::string smtp_password_file;  // relative to the data directory
  std::string smtp_ca_file;        // PEM bundle to verify the mail server; empty = system store
  std::string security_mail;       // comma-separated addresses of security staff
  // [incident] G3.1-c: while the `listener` measure is in force, new connections only from
  // these sources (CIDR list; 127.0.0.1 and ::1 always).
  std::string break_glass_sources;
  // G3.1-a: incidents of escalation_severity or worse are also told to these addresses
  // (comma-separated: the terminal's management, the port authority's desk).
  std::string escalation_mail;
  std::string escalation_severity = "high";
  std::string webhook_url;  // https:// only
  std::string webhook_ca_file;
  // [audit] G2.7.3: the Merkle log's checkpoints, their copies outside, shipping, retention.
  std::string audit_origin = "minato";  // names this log in every signed checkpoint
  int checkpoint_events = 1000;         // a checkpoint every N events ...
  int checkpoint_seconds = 60;          // ... or T seconds, whichever comes first
  // Each checkpoint is also written here as a JSON file (mount a directory of another host or
  // write-once storage); relative to the data directory; "" = none.
  std::string checkpoint_dir;
  int heartbeat_seconds = 60;  // G2.7.3-c: the server's heartbeat event
  int retention_days = 1095;   // G2.7.3-e: events older than this may be pruned by month
  // G2.7.3-b: RFC 5424 syslog over TLS (RFC 5425) to this collector ("host:port"; "" = none).
  std::string syslog_target;
  std::string syslog_ca_file;      // PEM bundle that verifies the collector; "" = system store
  std::string syslog_server_name;  // name in the collector's certificate; "" = its host
  std::string syslog_cert_file;    // client certificate, if the collector wants one
  std::string syslog_key_file;
  int ship_queue_alert = 10'000;  // G2.7.3-c: alert when this many events wait to be shipped
  int ship_stall_seconds = 300;   // ... or when shipping has been stuck this long
  // [backup] G2.7.2: backup sets per target, written to `dir` (the outbox the vault pulls
  // from), each target on its own schedule (minutes); an alert when a target's newest set is
  // older than 1.5 times its schedule.
  std::string backup_dir = "backups";  // relative to the data directory
  int backup_database_minutes = 60;
  int backup_config_minutes = 1440;
  int backup_logs_minutes = 60;
  int backup_release_minutes = 1440;
  int backup_keep_local = 24;  // sets per target kept in the outbox (the vault keeps history)
  int backup_zstd_level = 3;
  // G2.7.2-d: the listener the vault pulls from (mutual TLS; read-only). It starts only when
  // vault_clients names at least one vault certificate (SHA-256 fingerprints, comma-separated).
  std::string backup_vault_listen = "127.0.0.1:9444";
  std::string backup_vault_clients;
  std::string backup_vault_allow_sources = "127.0.0.0/8,::1/128";
  // [continuity] G2.4-b, G3.1-c: the signed snapshot for working by hand, every N minutes, to
  // a place outside the system (mount another host's share or removable media there).
  std::string continuity_dir = "continuity";  // relative to the data directory
  int continuity_minutes = 15;
  int continuity_keep = 96;
  // [monitor] G2.6.1-d: security-event thresholds per minute that alert security staff.
  int alert_login_failures_per_minute = 30;
  int alert_denied_per_minute = 30;
  int alert_refused_per_minute = 200;  // A1.4.2: refused connections and requests
  // [upgrade] G2.7.4, A1.3.4: the Ed25519 public keys (hex, comma-separated) whose signature
  // on a release's RELEASE.json `minato upgrade --check` accepts. Empty: no release is accepted.
  std::string upgrade_release_keys;
  // [vulnerabilities] G2.7.5: an advisory feed whose newest entry is older than this is stale:
  // the register says so and security staff are alerted (once a day).
  int vuln_feed_max_age_days = 7;
};

// Parses TOML text. `origin` names the file in error messages.
Result<Config> parse(const std::string& text, const std::string& origin);
// Loads `path`.
Result<Config> load(const std::string& path);
// `v` as a TOML basic string, in quotes.
std::string toml_quoted(const std::string& v);
// The TOML text of `c`, as `init` writes it.
std::string to_toml(const Config& c);

// The settings catalogue (configuration control): every setting of minato.toml as
// "table.key", in the order `init` writes them. A *security* setting takes effect only with a
// second person's approval (app/config_service.h); every setting is one unless it is listed
// in config.cpp as operational (the terminal's name, thread counts...), so a new setting is
// controlled until someone decides otherwise.
struct SettingInfo {
  std::string name;
  bool is_int = false;
  bool security = true;
};
const std::vector<SettingInfo>& settings();
const SettingInfo* find_setting(std::string_view name);
// The value of setting `name` in `c` (an integer in decimal); "" for an unknown name.
std::string setting_value(const Config& c, std::string_view name);
// Sets `name` in `to` to its value in `from`.
void copy_setting(Config& to, const Config& from, std::string_view name);

// One setting that differs between two configurations.
struct SettingChange {
  std::string name;
  std::string from;
  std::string to;
  bool security = true;
};
// The settings whose values differ from `a` to `b`, in catalogue order.
std::vector<SettingChange> diff(const Config& a, const Config& b);
// The line of minato.toml text `text` on which each setting is given (settings not given are
// absent: their default is in force).
std::map<std::string, int> setting_lines(const std::string& text);
// `text` with setting `name` given `value` (a decimal integer for an integer setting, any text
// for a string one): its line replaced, or added at the end of its section (the section added
// when missing). Comments and the other lines stay as they are. The result is parsed, so an
// unknown name or a value out of range is refused with the setting's name.
Result<std::string> with_setting(const std::string& text, std::string_view name,
                                 const std::string& value);

// Splits a comma-separated list of SHA-256 certificate fingerprints ("ab12...", "sha256:AB:12:...")
// into lower-case hex. Refuses anything else.
Result<std::vector<std::string>> split_fingerprints(const std::string& list);
// The same for any list of 32-byte values in hex; `what` names one in the error.
Result<std::vector<std::string>> split_hex32(const std::string& list, std::string_view what);

// Splits "host:port" / "[v6]:port". Refuses anything else.
Status split_listen(const std::string& listen, std::string* host, uint16_t* port);

// The listeners given on a command line (`init`, `serve`, `demo`, `restore`); an empty one
// leaves its setting as it is. "HOST:0" asks the system for a free port at each start.
struct Listeners {
  std::string api;         // server.listen (--listen)
  std::string management;  // server.management_listen (--management-listen)
  std::string vault;       // backup.vault_listen (--vault-listen)
  bool empty() const { return api.empty() && management.empty() && vault.empty(); }
};

// Sets the listeners of `c`, each checked first (the error names the flag and its setting).
// When server.listen moves to another port and webauthn.origin is on the old port (the
// console served by this listener), the origin moves with it; an origin elsewhere (a name on
// port 443 behind a load balancer) is left alone.
Status apply_listeners(Config& c, const Listeners& l);

// True when webauthn.origin is on server.listen's port (the console this listener serves), or,
// when server.listen picks a port at each start (HOST:0), is on this host (localhost).
bool origin_on_listener(const Config& c);
// Moves webauthn.origin to `port` (keeping its scheme and host).
void set_origin_port(Config& c, uint16_t port);

}  // namespace minato::config
