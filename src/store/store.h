// Store: the persistence seam. Services see typed reads and writes inside transactions; the
// SQL lives behind this interface (SQLite now, PostgreSQL later, same contract).
//
//   auto rx = store.read();                     // a consistent snapshot; many may run at once
//   auto unit = (*rx)->find_current_unit(id);
//
//   auto tx = store.write();                    // REQUIRES: only the WritePath's writer thread
//   (*tx)->insert_unit(unit); (*tx)->append_audit(rec); (*tx)->commit();   // durable on return
//
// Every method returns an Error instead of throwing: kUnavailable for a locked database,
// kResourceExhausted for a full disk, kAlreadyExists/kConflict for constraint violations,
// kDataLoss for corrupt rows. A WriteTxn that is destroyed without commit() rolls back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "terminal/gate_transaction.h"
#include "terminal/layout.h"
#include "terminal/unit.h"
#include "terminal/vessel_visit.h"
#include "terminal/yard_block.h"
#include "terminal/yard_slot.h"

namespace minato::store {

struct UserRecord {
  int64_t id = 0;
  std::string username;
  std::string password_hash;  // Argon2id encoded string
  std::string totp_sealed;    // TOTP secret sealed with the data directory's sealing key
  std::vector<std::string> roles;
  int failed_count = 0;         // consecutive failed logins
  int64_t locked_until_us = 0;  // 0 = not locked
  int lock_count = 0;           // locks since the last successful login (escalation)
  int64_t totp_last_step = 0;   // last accepted TOTP time step (a code is accepted once)
  bool disabled = false;
  int64_t created_us = 0;
  int64_t last_login_us = 0;
  std::string allowed_sources;  // canonical CIDR list (identity::SourceRules); empty = any
  std::string login_window;     // canonical identity::TimeWindows; empty = any time
  int64_t valid_until_us = 0;   // the account works until then; 0 = no end date
  std::string scope;            // object-level scope (a line_client's line operator code)
  // Who granted the current roles and rules: "created by cli:root", or the approval that
  // changed them ("approval 7: requested by user:a, approved by user:b, executed by user:a").
  std::string access_granted_by;
  std::string email;            // where the user's own security notices go (G2.1.1-f); may be empty
  int64_t password_set_us = 0;  // when the password was last set (0: at creation)
};

// A one-time enrolment link (G2.1.1-d/i): a new account, or a credential reset, is completed
// by its owner choosing a password and receiving a new TOTP secret. Only the SHA-256 of the
// link's token is stored.
struct EnrolmentRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string token_hash;
  std::string kind;  // "new" | "reset"
  int64_t created_us = 0;
  int64_t expires_us = 0;
  int64_t used_us = 0;
  std::string created_by;
};

// An API token of a line's or haulier's client account (item 10 of issue 3): bound to the
// account's roles, scope and source rules, plus its own source list; expires; rotated by
// issuing a new one. Only the SHA-256 of the secret is stored.
struct ApiTokenRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string name;
  std::string secret_hash;
  std::string allowed_sources;  // canonical; empty = the account's rules only
  int64_t created_us = 0;
  int64_t expires_us = 0;
  int64_t last_used_us = 0;
  int64_t revoked_us = 0;
  std::string created_by;
};

// A WebAuthn authenticator of a user (G2.1.1-b): several per user.
struct WebAuthnCredentialRecord {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string credential_id;  // raw bytes
  std::string public_key;     // COSE_Key
  int alg = 0;
  int64_t sign_count = 0;
  std::string aaguid;
  std::string name;  // the user's label, "YubiKey 5 (desk)"
  int64_t created_us = 0;
  int64_t last_used_us = 0;
};

// One message to deliver: a mail or a webhook call, kept in the outbox until delivered so an
// alert survives a restart or an unreachable mail server (G2.1.1-f).
struct Notification {
  int64_t id = 0;
  std::string channel;     // "mail" | "webhook"
  std::string recipients;  // mail: comma-separated addresses; webhook: empty (configured URL)
  std::string subject;
  std::string body;   // mail: text; webhook: JSON
  std::string event;  // what it reports: "login.new_source", "account.locked", ...
  int64_t created_us = 0;
  int attempts = 0;
  int64_t next_attempt_us = 0;
  int64_t sent_us = 0;     // 0 = not delivered yet
  bool abandoned = false;  // gave up after too many attempts
  std::string last_error;
};

// Source rules and a time window for everyone holding a role (G2.1.1-a, G2.2.1-d).
struct RoleRule {
  std::string role;
  std::string allowed_sources;  // canonical; empty = any
  std::string login_window;     // canonical; empty = any time
  int64_t updated_us = 0;
  std::string granted_by;
};

// A privileged change under the two-person rule (G2.1.1-h, G2.1.3): requested by one person,
// approved by another, then executed; each step recorded.
struct ApprovalRecord {
  int64_t id = 0;
  std::string kind;     // "user.access", "role.rule", "maintenance.window"
  std::string target;   // "user:vendor1", "role:gate_clerk"
  std::string payload;  // JSON: the change, validated when requested
  std::string reason;
  std::string requested_by;
  int64_t requested_us = 0;
  int64_t expires_us = 0;
  std::string status;  // "pending" | "approved" | "rejected" | "executed"
  std::string decided_by;
  int64_t decided_us = 0;
  std::string decision_note;
  std::string executed_by;
  int64_t executed_us = 0;
};

// An approved maintenance window for a vendor account (G1.3, A1.5.2).
struct MaintenanceWindow {
  int64_t id = 0;
  std::string username;
  int64_t start_us = 0;
  int64_t end_us = 0;
  int64_t approval_id = 0;
  std::string reason;
  int64_t started_us = 0;  // first login inside the window; 0 = not yet
  int64_t stopped_us = 0;  // ended (early by hand, or at its end); 0 = not yet
  std::string stop_reason;
};

// An incident in the register (G3.1-a): opened, contained, recovered, closed; `report` holds
// the fields a regulator's report asks for (JSON object).
struct IncidentRecord {
  int64_t id = 0;
  int64_t opened_us = 0;
  std::string opened_by;
  std::string severity;  // low | medium | high | critical
  std::string summary;
  std::string state;  // open | contained | recovered | closed
  int64_t closed_us = 0;
  std::string report = "{}";
};

// One line of an incident's timeline: detected, reported, contained, recovered, closed,
// notified, note, measure_on, measure_off.
struct IncidentEntry {
  int64_t id = 0;
  int64_t incident_id = 0;
  int64_t at_us = 0;
  std::string kind;
  std::string text;
  std::string by;
};

// An asset of the register (G1.2, G2.6.1-a, A1.3.1-3): what it is, where, whose, what runs on
// it. `tag` is the terminal's own label ("SRV-01", "USB-07").
struct AssetRecord {
  int64_t id = 0;
  std::string tag;
  std::string kind;  // server | terminal | network | mfp | iot | media | other
  std::string name;
  std::string serial;
  std::string os;            // "Debian 12.8"
  std::string applications;  // one per line: "minato 0.1.0", "clamav 1.0.7"
  std::string patches;       // patch level: "security updates to 2026-12-01"
  std::string owner;         // the person responsible
  std::string used_by;       // who uses it
  std::string place;         // "gate house, rack 2"
  std::string power;         // "UPS-A, circuit 4" (G1.2)
  std::string network;       // "ops VLAN 20, 10.20.0.11"
  std::string state;         // planned | in_service | maintenance | retired | disposed
  std::string notes;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  std::string updated_by;
};

// Work done on an asset (G2.6.1-a): date, asset, work, worker, who approved it.
struct WorkRecord {
  int64_t id = 0;
  int64_t asset_id = 0;
  std::string work_date;  // YYYY-MM-DD
  std::string work;
  std::string worker;
  std::string approved_by;
  int64_t recorded_us = 0;
  std::string recorded_by;
};

// A removable medium out on loan (G1.2): checked out on an approved request, returned.
struct MediaLoanRecord {
  int64_t id = 0;
  int64_t asset_id = 0;
  int64_t approval_id = 0;
  std::string holder;
  std::string purpose;
  int64_t out_us = 0;
  int64_t due_us = 0;
  std::string out_by;
  int64_t returned_us = 0;  // 0 while out
  std::string returned_by;
  std::string return_note;
};

// The software found on an asset (G2.6.1-b, G2.7.4): the list last imported for it, whole.
struct SoftwareListRecord {
  int64_t asset_id = 0;
  int64_t intake_id = 0;  // the media intake's record; 0 when read on this host (minato sbom)
  std::string source;     // "dpkg-query" | "dpkg-l" | "cyclonedx" | "minato"
  std::string file_name;
  int64_t count = 0;
  std::string components;  // JSON array of CycloneDX components (secops/sbom.h)
  int64_t imported_us = 0;
  std::string imported_by;
};

// An advisory feed taken in (G2.7.5): OSV or CISA KEV, its file, how many entries, its newest
// date, when and by whom.
struct VulnFeedRecord {
  int64_t id = 0;
  std::string kind;  // osv | kev
  std::string file_name;
  int64_t intake_id = 0;
  int64_t entries = 0;
  std::string newest;
  int64_t imported_us = 0;
  std::string imported_by;
};

// An advisory as stored: its affected packages as JSON (secops/advisory.h), aliases
// space-separated.
struct AdvisoryRow {
  std::string id;
  int64_t feed_id = 0;
  std::string modified;
  std::string published;
  std::string summary;
  std::string severity;
  std::string aliases;
  std::string affected;
};

// A known exploited vulnerability (CISA KEV).
struct KevRow {
  std::string cve;
  int64_t feed_id = 0;
  std::string vendor;
  std::string product;
  std::string name;
  std::string date_added;
  std::string due_date;
  bool ransomware = false;
  std::string action;
};

// A finding of the vulnerability register (G2.7.5): an asset's package at a version an advisory
// says is affected, and the plan for it — need, method, workaround, impact, schedule, tests,
// compensating control — with an owner and a due date.
struct FindingRecord {
  int64_t id = 0;
  int64_t asset_id = 0;
  std::string package;
  std::string version;
  std::string advisory_id;
  std::string fixed;  // the version that fixes it; "" none known
  std::string cves;   // space-separated
  std::string summary;
  std::string severity;
  bool kev = false;
  bool ransomware = false;
  std::string kev_due;
  std::string state;  // open | planned | mitigated | accepted | resolved
  std::string owner;
  std::string due_date;  // YYYY-MM-DD
  std::string need;
  std::string method;
  std::string workaround;
  std::string impact;
  std::string schedule;
  std::string tests;
  std::string compensating;
  int64_t first_seen_us = 0;
  int64_t last_seen_us = 0;
  int64_t resolved_us = 0;
  int64_t updated_us = 0;
  std::string updated_by;
};

// A version of minato.toml (configuration control): the file's text and SHA-256, and how it
// came: "setup" (before the first start of serve: in force), "baseline" (what the first start
// of serve read: control begins), "file" (edited on disk, only operational settings changed:
// in force), "approved" (written by `minato config apply` from approval `approval_id`: in
// force), "restored" (rewritten by a restore or drill of a backup: its checkpoint directory
// cleared, its listeners moved; in force) or "held" (edited on disk with security settings changed:
// those stay as the last version in force had them until a change is approved). `changes` is a JSON
// array of {setting, from, to, security} against the version in force before.
struct ConfigVersionRecord {
  int64_t id = 0;
  std::string sha256;
  std::string text;
  std::string kind;
  int64_t approval_id = 0;
  std::string changes;
  int64_t recorded_us = 0;
  std::string recorded_by;
};

// A key of the inventory (G2.3-c): which key ("tls", "audit", "sealing", ...), the SHA-256
// fingerprint of its public part (of a key id for a secret key), when it was first seen, last
// rotated and by whom, and when it expires (0: it does not).
struct KeyRecord {
  std::string name;
  std::string fingerprint;
  int64_t created_us = 0;
  int64_t rotated_us = 0;
  std::string rotated_by;
  int64_t expires_us = 0;
  int64_t recorded_us = 0;
};

// Evidence of an organisational measure (G1.1, training, contracts, contingency plans ...) for
// one guideline item of the compliance register: who owns it, its date, when it must be
// reviewed, and the files attached through the media intake (scanned, hashed). kind
// "not_applicable" records why the item does not apply here instead. Withdrawn evidence stays,
// marked. An item whose evidence is past its review date is not a pass (app/compliance/).
struct ComplianceEvidenceRecord {
  int64_t id = 0;
  std::string item;  // the guideline ID
  std::string kind;  // "evidence" | "not_applicable"
  std::string title;
  std::string owner;
  std::string dated;      // YYYY-MM-DD: when the measure was taken or the document issued
  std::string review_by;  // YYYY-MM-DD
  std::string files;      // JSON: [{"intake_id", "name", "sha256", "bytes"}]
  std::string note;
  int64_t recorded_us = 0;
  std::string recorded_by;
  int64_t withdrawn_us = 0;  // 0: in force
  std::string withdrawn_by;
};

// An item's compliance state as the last run found it, and since when it has been so.
struct ComplianceStateRecord {
  std::string item;
  std::string status;  // pass | partial | fail | evidence-needed | not-applicable
  int64_t since_us = 0;
  int64_t checked_us = 0;
  std::string reason;       // English
  int64_t checked_seq = 0;  // the audit head when it was checked
};

// A containment measure in force (G3.1-c), for an incident, since when, by whom, why.
struct ContainmentRecord {
  std::string measure;
  int64_t incident_id = 0;
  int64_t since_us = 0;
  std::string set_by;
  std::string reason;
};

// A signed-off access review (G2.1.1-i): who reviewed which state of the accounts.
struct AccessReviewRecord {
  int64_t id = 0;
  int64_t at_us = 0;
  std::string reviewer;
  std::string digest;  // SHA-256 (hex) of the report the reviewer saw
  int64_t accounts = 0;
  std::string note;
};

// One row of the audit log: one leaf of the Merkle log (audit/log.h). G2.7.3-a.
struct AuditRecord {
  int64_t seq = 0;  // 1-based; the leaf index is seq - 1
  int64_t at_us = 0;
  std::string subject;     // "user:alice", "token:acme/3", "cli:root", "anonymous", "system"
  std::string credential;  // how the subject was identified: "session:1f2e...", "token:3",
                           // "host:uid=0" (empty before authentication)
  std::string source;      // client address, "local" for the CLI
  std::string action;      // "gate.in", "session.create"
  std::string target;      // "unit:CSQU3054383"
  std::string result;      // "success" | "failure" | "denied"
  std::string reason;      // why it failed; empty on success
  std::string request_id;  // the HTTP request's id (X-Request-Id), empty outside requests
  std::string change;      // JSON: the row-level change made (empty when nothing changed)
  std::string leaf;        // 32 bytes: SHA-256(0x00 || audit::encode_event(record))
  bool pruned = false;     // content removed after its retention period; leaf kept
};

// An audit row as the database holds it, without copies: valid only during the visit.
struct AuditRowView {
  int64_t seq = 0;
  int64_t at_us = 0;
  std::string_view subject, credential, source, action, target, result, reason, request_id, change,
      leaf;
  bool pruned = false;
};

// A signed tree head of the audit log.
struct CheckpointRecord {
  int64_t size = 0;  // events covered: seq 1..size
  std::string root;  // 32 bytes
  int64_t at_us = 0;
  std::string key_id;     // hex of the first 8 bytes of SHA-256(public key)
  std::string signature;  // Ed25519 over audit::checkpoint_body()
  std::string edge;       // the tree's right edge at `size` (audit::CompactRange::serialize)
};

// What an auditor asks of the log; empty fields do not filter.
struct AuditQuery {
  std::string subject;
  std::string action;  // exact, or a prefix ending in '.' ("session.")
  std::string target;
  int64_t from_us = 0;
  int64_t to_us = 0;      // exclusive; 0 = no end
  int64_t after_seq = 0;  // pagination: events with seq > after_seq
  int limit = 100;
};

struct MoveRecord {
  int64_t unit_id = 0;
  terminal::Move move;
  int64_t at_us = 0;
  std::string actor;
};

struct GateRecord {
  int64_t id = 0;
  terminal::GateDirection direction = terminal::GateDirection::kIn;
  std::string container_id;
  std::string truck_plate;
  terminal::GateStatus status = terminal::GateStatus::kOpen;
  int64_t unit_id = 0;
  int64_t at_us = 0;
  std::string actor;
  int64_t truck_visit_id = 0;   // 0: the truck was not registered at arrival
  int64_t appointment_id = 0;   // 0: no appointment
  std::string snapshot = "{}";  // JSON of the unit as it was handed over (the EIR's content)
};

// A gate appointment slot: trucks may book up to `capacity` appointments in [start, end).
struct GateSlotRecord {
  int64_t start_us = 0;
  int64_t end_us = 0;
  int capacity = 0;
  int booked = 0;  // appointments booked or used in it (read only)
};

struct AppointmentRecord {
  int64_t id = 0;
  int64_t slot_start_us = 0;
  int64_t slot_end_us = 0;  // read only (from the slot)
  terminal::GateDirection direction = terminal::GateDirection::kIn;
  std::string container_id;
  std::string truck_plate;
  std::string haulier;
  std::string state = "booked";  // booked, used, cancelled
  int64_t created_us = 0;
  std::string created_by;
  int64_t gate_id = 0;  // the gate transaction that used it
};

// A truck from its arrival at the in-gate to its exit: the turn time.
struct TruckVisitRecord {
  int64_t id = 0;
  std::string truck_plate;
  std::string haulier;
  std::string lane;
  int64_t arrived_us = 0;
  std::string arrived_by;
  int64_t exited_us = 0;  // 0 while the truck is inside
  std::string exited_by;
};

// A file from outside, as it was received (G2.7.1-c/d): who, when, what, its hash, its type,
// and the malware scanner's verdict with the signature version that gave it.
struct MediaIntakeRecord {
  int64_t id = 0;
  int64_t received_us = 0;
  std::string received_by;
  std::string channel;  // "cli", "api"
  std::string file_name;
  int64_t bytes = 0;
  std::string sha256;     // hex
  std::string file_type;  // "edifact", "csv", or what it was refused as ("executable", ...)
  std::string verdict;    // "clean", "infected", "refused", "override" (scanner down, approved)
  std::string signature;  // what the scanner found
  std::string engine;     // "ClamAV 1.4.6"
  std::string database;   // signature database version
  int64_t database_us = 0;
  std::string reason;       // why it was refused
  int64_t override_id = 0;  // the approval that let it in unscanned
  std::string stored_as;    // where the quarantined copy is kept (relative to the data dir)
};

// An imported EDI file; its hash makes a second import of the same content a no-op.
struct EdiImportRecord {
  std::string sha256;
  int64_t intake_id = 0;
  int64_t imported_us = 0;
  std::string imported_by;
  std::string kind;      // "BAPLIE", ...
  std::string visit_id;  // the vessel visit it applied to ("" none)
  int64_t units = 0;
  int64_t rejected = 0;
  std::string report;  // the import report, JSON
};

struct BlockOccupancy {
  terminal::YardBlock block;
  int occupied = 0;
};

// A stored Idempotency-Key (per subject): the request it named and the response it got.
struct IdempotencyRecord {
  std::string subject;
  std::string key;
  std::string digest;  // SHA-256 of method, path and body
  int status = 200;
  std::string response;
  int64_t created_us = 0;
};

// An export booking: how many units of which size/type a line will deliver for a vessel.
struct BookingRecord {
  std::string number;  // the line's booking number
  std::string line_operator;
  std::string outbound_visit;
  std::string pod;        // UN/LOCODE
  std::string size_type;  // ISO 6346 code the units must have ("22G1", "45R1")
  int quantity = 0;       // units booked
  int64_t created_us = 0;
  std::string created_by;
  int64_t version = 1;
};

// How far a vessel visit's work has come: its discharge list (units it brings) and load list
// (units it takes), by the units' states.
struct VisitCounts {
  int64_t discharge_list = 0;  // units whose inbound visit this is
  int64_t discharged = 0;      // ... no longer on board (in the yard or gone)
  int64_t load_list = 0;       // units whose outbound visit this is
  int64_t loaded = 0;          // ... on board (loaded, or departed with the vessel)
};

// An inventory question; empty fields do not filter. Results are ordered by unit id.
struct UnitQuery {
  std::string state;  // "in_yard", ...
  std::string block;  // units standing in this yard block
  std::string line_operator;
  std::string category;
  std::string visit;              // inbound or outbound vessel visit
  bool on_hold = false;           // only units with an active hold
  int64_t in_yard_before_us = 0;  // dwell: in the yard since before this time
  int64_t after_id = 0;           // pagination: units with id > after_id
  int limit = 100;
};

class ReadTxn {
 public:
  virtual ~ReadTxn() = default;

  virtual Result<std::optional<UserRecord>> find_user(std::string_view username) = 0;
  virtual Result<int64_t> count_users() = 0;
  virtual Result<std::vector<UserRecord>> list_users() = 0;
  // The newest `limit` earlier password hashes of a user, newest first.
  virtual Result<std::vector<std::string>> password_history(int64_t user_id, int limit) = 0;

  virtual Result<std::vector<RoleRule>> list_role_rules() = 0;
  // Incidents, newest first (at most `limit`), one, its timeline (oldest first), and the
  // containment measures in force.
  virtual Result<std::vector<IncidentRecord>> list_incidents(int limit) = 0;
  virtual Result<std::optional<IncidentRecord>> find_incident(int64_t id) = 0;
  virtual Result<std::vector<IncidentEntry>> incident_entries(int64_t incident_id) = 0;
  virtual Result<std::vector<ContainmentRecord>> containment() = 0;
  // The asset register: one asset, all of them by tag, an asset's work records (newest first,
  // at most `limit`), its media loans (newest first), and every loan not yet returned.
  virtual Result<std::optional<AssetRecord>> find_asset(std::string_view tag) = 0;
  virtual Result<std::vector<AssetRecord>> list_assets() = 0;
  virtual Result<std::vector<WorkRecord>> work_records(int64_t asset_id, int limit) = 0;
  virtual Result<std::vector<MediaLoanRecord>> media_loans(int64_t asset_id) = 0;
  virtual Result<std::vector<MediaLoanRecord>> open_media_loans() = 0;
  // The software list of an asset, and every asset's (by asset id).
  virtual Result<std::optional<SoftwareListRecord>> software_list(int64_t asset_id) = 0;
  virtual Result<std::vector<SoftwareListRecord>> software_lists() = 0;
  // The vulnerability register: the feeds taken in (newest first), every advisory, every KEV
  // entry, the findings (all, or one).
  virtual Result<std::vector<VulnFeedRecord>> vuln_feeds() = 0;
  virtual Result<std::vector<AdvisoryRow>> advisories() = 0;
  virtual Result<std::vector<KevRow>> kev_entries() = 0;
  virtual Result<std::vector<FindingRecord>> findings() = 0;
  virtual Result<std::optional<FindingRecord>> find_finding(int64_t id) = 0;
  // Configuration control: the newest `limit` versions of minato.toml, newest first.
  virtual Result<std::vector<ConfigVersionRecord>> config_versions(int limit) = 0;
  // The key inventory, by name.
  virtual Result<std::vector<KeyRecord>> key_inventory() = 0;
  // The compliance register's evidence, oldest first; withdrawn records only when asked.
  virtual Result<std::vector<ComplianceEvidenceRecord>> compliance_evidence(bool withdrawn) = 0;
  virtual Result<std::optional<ComplianceEvidenceRecord>> find_compliance_evidence(int64_t id) = 0;
  virtual Result<std::vector<ComplianceStateRecord>> compliance_states() = 0;
  virtual Result<std::optional<ApprovalRecord>> find_approval(int64_t id) = 0;
  // The newest `limit` approvals, newest first; only pending and approved ones if `open_only`.
  virtual Result<std::vector<ApprovalRecord>> list_approvals(bool open_only, int limit) = 0;
  virtual Result<std::optional<MaintenanceWindow>> find_maintenance_window(int64_t id) = 0;
  // Windows of `username` (all users if empty) that are not stopped, oldest start first.
  virtual Result<std::vector<MaintenanceWindow>> open_maintenance_windows(
      std::string_view username) = 0;
  virtual Result<std::vector<AccessReviewRecord>> list_access_reviews(int limit) = 0;
  virtual Result<std::vector<WebAuthnCredentialRecord>> webauthn_credentials(int64_t user_id) = 0;
  virtual Result<std::optional<EnrolmentRecord>> find_enrolment(const std::string& token_hash) = 0;
  virtual Result<std::optional<ApiTokenRecord>> find_api_token(int64_t id) = 0;
  virtual Result<std::vector<ApiTokenRecord>> api_tokens(int64_t user_id) = 0;
  virtual Result<std::optional<UserRecord>> find_user_by_id(int64_t id) = 0;
  // Whether the user has an unused recovery code with this keyed hash.
  virtual Result<bool> recovery_code_unused(int64_t user_id, const std::string& mac) = 0;
  // How many of the user's recovery codes are still unused.
  virtual Result<int64_t> count_recovery_codes(int64_t user_id) = 0;
  // Undelivered, not abandoned notifications due at `now_us`, oldest first.
  virtual Result<std::vector<Notification>> due_notifications(int64_t now_us, int limit) = 0;
  // The newest `limit` notifications, newest first.
  virtual Result<std::vector<Notification>> recent_notifications(int limit) = 0;

  virtual Result<std::optional<terminal::VesselVisit>> find_visit(std::string_view id) = 0;
  virtual Result<std::vector<terminal::VesselVisit>> list_visits() = 0;
  virtual Result<VisitCounts> visit_counts(std::string_view visit_id) = 0;

  // The unit of the container's current visit (not departed), else its most recent visit.
  virtual Result<std::optional<terminal::Unit>> find_current_unit(
      const terminal::ContainerId& id) = 0;
  virtual Result<std::vector<MoveRecord>> unit_moves(int64_t unit_id) = 0;
  virtual Result<int64_t> count_units_in_yard() = 0;

  virtual Result<std::optional<terminal::Unit>> find_unit(int64_t unit_id) = 0;
  virtual Result<std::vector<terminal::Unit>> list_units(const UnitQuery& q) = 0;
  // Calls `visit` for every unit in the yard (to build the in-memory yard).
  virtual Status scan_units_in_yard(const std::function<void(terminal::Unit&&)>& visit) = 0;

  virtual Result<std::optional<terminal::YardBlock>> find_block(std::string_view name) = 0;
  virtual Result<terminal::TerminalLayout> layout() = 0;
  virtual Result<std::optional<BookingRecord>> find_booking(std::string_view number) = 0;
  // Units received against the booking so far (gated in, loaded or gone since; not those only
  // advised).
  virtual Result<int64_t> count_booking_units(std::string_view number) = 0;
  virtual Result<std::optional<IdempotencyRecord>> find_idempotency_key(std::string_view subject,
                                                                        std::string_view key) = 0;
  virtual Result<std::vector<BlockOccupancy>> yard_occupancy() = 0;
  virtual Result<std::optional<GateRecord>> find_gate(int64_t id) = 0;
  // Gate transactions in [from_us, to_us), oldest first, at most `limit`.
  virtual Result<std::vector<GateRecord>> list_gates(int64_t from_us, int64_t to_us, int limit) = 0;
  // Slots that overlap [from_us, to_us), earliest first, with their booked counts.
  virtual Result<std::vector<GateSlotRecord>> gate_slots(int64_t from_us, int64_t to_us) = 0;
  virtual Result<std::optional<AppointmentRecord>> find_appointment(int64_t id) = 0;
  // Appointments whose slot starts in [from_us, to_us), by slot then id, at most `limit`.
  virtual Result<std::vector<AppointmentRecord>> list_appointments(int64_t from_us, int64_t to_us,
                                                                   int limit) = 0;
  // The container's booked (not used, not cancelled) appointment in this direction.
  virtual Result<std::optional<AppointmentRecord>> find_booked_appointment(
      std::string_view container_id, terminal::GateDirection direction) = 0;
  virtual Result<std::optional<TruckVisitRecord>> find_truck_visit(int64_t id) = 0;
  // The plate's visit that has not exited, if any.
  virtual Result<std::optional<TruckVisitRecord>> open_truck_visit(std::string_view plate) = 0;
  // Trucks that exited in [from_us, to_us), in exit order.
  virtual Result<std::vector<TruckVisitRecord>> exited_truck_visits(int64_t from_us,
                                                                    int64_t to_us) = 0;
  virtual Result<int64_t> count_open_truck_visits() = 0;
  // Trucks inside (not exited), the longest waiting first; at most `limit`.
  virtual Result<std::vector<TruckVisitRecord>> open_truck_visits(int limit) = 0;
  virtual Result<std::optional<MediaIntakeRecord>> find_media_intake(int64_t id) = 0;
  // The newest `limit` intake records, newest first.
  virtual Result<std::vector<MediaIntakeRecord>> list_media_intake(int limit) = 0;
  virtual Result<std::optional<EdiImportRecord>> find_edi_import(std::string_view sha256) = 0;
  virtual Result<bool> slot_occupied(const terminal::YardSlot& slot) = 0;

  // The highest seq in the log (0 when empty).
  virtual Result<int64_t> audit_head() = 0;
  // The newest `limit` audit records with this action and target, newest first.
  virtual Result<std::vector<AuditRecord>> audit_by_target(std::string_view action,
                                                           std::string_view target, int limit) = 0;
  // Calls `visit` for each audit record with seq >= from_seq in order, until it returns false.
  virtual Status scan_audit(int64_t from_seq,
                            const std::function<bool(const AuditRecord&)>& visit) = 0;
  // Calls `visit(seq, leaf)` for seq in [from_seq, to_seq] in order (cheaper than scan_audit).
  virtual Status scan_audit_leaves(
      int64_t from_seq, int64_t to_seq,
      const std::function<void(int64_t seq, std::string_view leaf)>& visit) = 0;
  // Calls `visit` for each row with seq in [from_seq, to_seq] in order, until it returns false.
  virtual Status scan_audit_views(int64_t from_seq, int64_t to_seq,
                                  const std::function<bool(const AuditRowView&)>& visit) = 0;
  // Audit records matching `q`, oldest first.
  virtual Result<std::vector<AuditRecord>> query_audit(const AuditQuery& q) = 0;
  // The seq of the first event at or after `at_us` (head + 1 if none).
  virtual Result<int64_t> audit_seq_at(int64_t at_us) = 0;

  // Checkpoints, by size ascending.
  virtual Result<std::vector<CheckpointRecord>> checkpoints() = 0;
  // The newest audit record with seq > after_seq whose action is one of `actions` (each exact,
  // or a prefix ending in '.'); nullopt if none. Reads backwards from the head, so it costs the
  // events after `after_seq` at most.
  virtual Result<std::optional<AuditRecord>> newest_audit(const std::vector<std::string>& actions,
                                                          int64_t after_seq) = 0;
  virtual Result<std::optional<CheckpointRecord>> last_checkpoint() = 0;
};

class WriteTxn : public ReadTxn {
 public:
  virtual Result<int64_t> insert_user(const UserRecord& user) = 0;
  virtual Status update_user_login_state(const UserRecord& user) = 0;
  virtual Status set_user_disabled(int64_t user_id, bool disabled) = 0;
  // Replaces roles, allowed_sources, login_window, valid_until_us, scope and access_granted_by.
  virtual Status update_user_access(const UserRecord& user) = 0;
  virtual Status upsert_role_rule(const RoleRule& rule) = 0;
  virtual Result<int64_t> insert_incident(const IncidentRecord& i) = 0;
  // Sets state, closed_us and report of incident `i.id`.
  virtual Status update_incident(const IncidentRecord& i) = 0;
  virtual Result<int64_t> insert_incident_entry(const IncidentEntry& e) = 0;
  virtual Result<int64_t> insert_asset(const AssetRecord& a) = 0;
  // Replaces every field of asset `a.id` but its tag and created_us.
  virtual Status update_asset(const AssetRecord& a) = 0;
  virtual Result<int64_t> insert_work_record(const WorkRecord& w) = 0;
  virtual Result<int64_t> insert_media_loan(const MediaLoanRecord& l) = 0;
  // Sets returned_us, returned_by and return_note of loan `l.id`.
  virtual Status update_media_loan(const MediaLoanRecord& l) = 0;
  // Puts the software list of asset `l.asset_id` in place of the one it had.
  virtual Status put_software_list(const SoftwareListRecord& l) = 0;
  virtual Result<int64_t> insert_config_version(const ConfigVersionRecord& v) = 0;
  // Puts the key `k.name` in place of the record it had.
  virtual Status put_key(const KeyRecord& k) = 0;
  virtual Result<int64_t> insert_compliance_evidence(const ComplianceEvidenceRecord& e) = 0;
  // Marks evidence `id` withdrawn; false if there is none in force.
  virtual Result<bool> withdraw_compliance_evidence(int64_t id, int64_t at_us,
                                                    const std::string& by) = 0;
  virtual Status put_compliance_state(const ComplianceStateRecord& s) = 0;
  virtual Result<int64_t> insert_vuln_feed(const VulnFeedRecord& f) = 0;
  // Replace the advisory / KEV entry with the same id.
  virtual Status put_advisory(const AdvisoryRow& a) = 0;
  virtual Status put_kev(const KevRow& k) = 0;
  virtual Result<int64_t> insert_finding(const FindingRecord& f) = 0;
  // Replaces every field of finding `f.id` but its asset, package, advisory and first_seen_us.
  virtual Status update_finding(const FindingRecord& f) = 0;
  // Puts a measure in force (replacing an earlier row of it), or ends it (false if it was not).
  virtual Status set_containment(const ContainmentRecord& c) = 0;
  virtual Result<bool> clear_containment(std::string_view measure) = 0;
  virtual Result<int64_t> insert_approval(const ApprovalRecord& approval) = 0;
  virtual Status update_approval(const ApprovalRecord& approval) = 0;
  virtual Result<int64_t> insert_maintenance_window(const MaintenanceWindow& window) = 0;
  virtual Status update_maintenance_window(const MaintenanceWindow& window) = 0;
  virtual Result<int64_t> insert_access_review(const AccessReviewRecord& review) = 0;
  // Records that `user_id` logged in from `network` at `at_us`; true if it never had before.
  virtual Result<bool> note_known_source(int64_t user_id, const std::string& network,
                                         int64_t at_us) = 0;
  virtual Result<int64_t> insert_notification(const Notification& n) = 0;
  virtual Result<int64_t> insert_enrolment(const EnrolmentRecord& e) = 0;
  // Marks the enrolment used (and every other open one of the user void).
  virtual Status use_enrolment(int64_t id, int64_t user_id, int64_t at_us) = 0;
  // Sets a new password hash and sealed TOTP secret after an enrolment (no history kept of the
  // empty placeholder).
  virtual Status set_credentials(int64_t user_id, const std::string& password_hash,
                                 const std::string& totp_sealed, int64_t at_us) = 0;
  // Replaces the sealed TOTP secret alone (a rotation of the sealing key re-seals it).
  virtual Status set_totp_sealed(int64_t user_id, const std::string& totp_sealed) = 0;
  // Removes every credential of the user: password (made unusable), TOTP, WebAuthn keys,
  // recovery codes; resets lock state. For a credential reset.
  virtual Status clear_credentials(int64_t user_id) = 0;
  virtual Result<int64_t> insert_api_token(const ApiTokenRecord& t) = 0;
  virtual Status set_api_token_revoked(int64_t id, int64_t at_us) = 0;
  virtual Status set_api_token_used(int64_t id, int64_t at_us) = 0;
  // Revokes every live token of the user; returns how many.
  virtual Result<int64_t> revoke_api_tokens(int64_t user_id, int64_t at_us) = 0;
  virtual Result<int64_t> insert_webauthn_credential(const WebAuthnCredentialRecord& c) = 0;
  virtual Status update_webauthn_use(int64_t id, int64_t sign_count, int64_t at_us) = 0;
  // Removes the user's credential with this row id; false if there was none.
  virtual Result<bool> delete_webauthn_credential(int64_t user_id, int64_t id) = 0;
  // False when the user has no authenticator `id`.
  virtual Result<bool> rename_webauthn_credential(int64_t user_id, int64_t id,
                                                  std::string_view name) = 0;
  // Replaces all the user's recovery codes by these keyed hashes.
  virtual Status replace_recovery_codes(int64_t user_id, const std::vector<std::string>& macs,
                                        int64_t at_us) = 0;
  // Marks the unused code with this keyed hash used; false if there is none.
  virtual Result<bool> use_recovery_code(int64_t user_id, const std::string& mac,
                                         int64_t at_us) = 0;
  // Updates attempts, next_attempt_us, sent_us, abandoned and last_error.
  virtual Status update_notification(const Notification& n) = 0;
  // Replaces the password hash. With `keep_old_in_history`, the previous hash is kept in the
  // password history first (a change); without, it is a re-hash of the same password.
  virtual Status set_password_hash(int64_t user_id, const std::string& hash, int64_t at_us,
                                   bool keep_old_in_history) = 0;

  virtual Status insert_visit(const terminal::VesselVisit& visit, int64_t at_us) = 0;
  virtual Status update_visit_phase(const terminal::VesselVisit& visit) = 0;

  // Inserts the unit and returns its id; refuses (kAlreadyExists) a second active unit for the
  // same container.
  virtual Result<int64_t> insert_unit(const terminal::Unit& unit, int64_t at_us) = 0;
  // Writes the unit's description and state. Optimistic concurrency: `unit.version()` must be
  // one more than the stored version (kConflict otherwise: someone else changed it first).
  virtual Status update_unit(const terminal::Unit& unit, int64_t at_us) = 0;
  virtual Status insert_move(const MoveRecord& move) = 0;
  virtual Result<int64_t> insert_gate(const GateRecord& gate) = 0;
  // Inserts the slot, or sets the capacity of the slot with this start and end.
  virtual Status upsert_gate_slot(const GateSlotRecord& slot) = 0;
  virtual Result<int64_t> insert_appointment(const AppointmentRecord& a) = 0;
  // Sets the state (and the gate transaction that used it) of a booked appointment.
  virtual Status finish_appointment(int64_t id, std::string_view state, int64_t gate_id) = 0;
  virtual Result<int64_t> insert_truck_visit(const TruckVisitRecord& v) = 0;
  virtual Status close_truck_visit(int64_t id, int64_t exited_us, std::string_view by) = 0;
  virtual Result<int64_t> insert_media_intake(const MediaIntakeRecord& r) = 0;
  // kAlreadyExists when a file with this hash was imported before.
  virtual Status insert_edi_import(const EdiImportRecord& r) = 0;
  virtual Status insert_block(const terminal::YardBlock& block) = 0;
  // Replaces the block's shape and zones (kNotFound if there is none).
  virtual Status update_block(const terminal::YardBlock& block) = 0;
  virtual Status delete_block(std::string_view name) = 0;
  virtual Status upsert_berth(const terminal::Berth& berth) = 0;
  virtual Status upsert_lane(const terminal::GateLane& lane) = 0;
  virtual Status insert_booking(const BookingRecord& booking) = 0;
  virtual Status insert_idempotency_key(const IdempotencyRecord& record) = 0;
  // Forgets keys older than `before_us`; returns how many.
  virtual Result<int64_t> purge_idempotency_keys(int64_t before_us) = 0;

  virtual Status append_audit(const AuditRecord& record) = 0;
  virtual Status insert_checkpoint(const CheckpointRecord& checkpoint) = 0;
  // Retention (G2.7.3-e): removes the content of events with seq < before_seq, keeping their
  // seq and leaf so that the tree and its checkpoints still verify. Returns how many.
  virtual Result<int64_t> prune_audit(int64_t before_seq) = 0;

  // Rows inserted, updated or deleted by this transaction's connection so far (a counter that
  // only grows): a command that fails without changing it wrote nothing.
  virtual int64_t change_count() = 0;

  // Row images (roll-forward, G2.7.2-f; store/sqlite/row_images.h): the rows this transaction
  // inserted, updated or deleted since the last take, as comma-separated JSON objects ("" if
  // none); secrets are named, never included.
  virtual std::string take_row_images() = 0;
  // Replays images taken elsewhere, in order: those of a change record ({"redo":[...]}; none if
  // it has no "redo") or a bare JSON array. Refuses images that name a secret or a row that is
  // not there (kFailedPrecondition / kConflict), leaving the caller to roll back. Returns how
  // many rows it replayed.
  virtual Result<int64_t> apply_row_images(std::string_view json) = 0;

  // Nested undo points inside the transaction (group commit isolates each command in one).
  virtual Status savepoint() = 0;
  virtual Status rollback_to_savepoint() = 0;
  virtual Status release_savepoint() = 0;

  // Makes everything durable (fsync) before returning ok. After an error nothing was written.
  virtual Status commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // A read-only snapshot. Thread-safe; blocks while all read connections are in use.
  virtual Result<std::unique_ptr<ReadTxn>> read() = 0;
  // The write transaction. REQUIRES: at most one open at a time in this process (the WritePath
  // writer thread, or the CLI's own process); other processes are serialised by the database.
  virtual Result<std::unique_ptr<WriteTxn>> write() = 0;
  virtual int schema_version() const = 0;
};

}  // namespace minato::store
