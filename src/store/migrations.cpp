#include "store/migrations.h"

namespace minato::store {

const std::vector<std::string_view>& sqlite_migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: identity, terminal core, audit log.
      R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  totp_sealed BLOB NOT NULL,
  roles TEXT NOT NULL,
  failed_count INTEGER NOT NULL DEFAULT 0,
  locked_until_us INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_us INTEGER NOT NULL,
  last_login_us INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE yard_blocks (
  name TEXT PRIMARY KEY,
  bays INTEGER NOT NULL,
  rows_ INTEGER NOT NULL,
  tiers INTEGER NOT NULL
) STRICT;

CREATE TABLE vessel_visits (
  id TEXT PRIMARY KEY,
  vessel_name TEXT NOT NULL,
  imo TEXT NOT NULL,
  berth TEXT NOT NULL,
  eta_us INTEGER NOT NULL,
  etd_us INTEGER NOT NULL,
  phase TEXT NOT NULL,
  created_us INTEGER NOT NULL
) STRICT;

CREATE TABLE units (
  id INTEGER PRIMARY KEY,
  container_id TEXT NOT NULL,
  size_type TEXT NOT NULL,
  category TEXT NOT NULL,
  freight TEXT NOT NULL,
  line_operator TEXT NOT NULL,
  gross_kg INTEGER NOT NULL,
  state TEXT NOT NULL,
  slot TEXT,
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL
) STRICT;
-- One active unit per container; one unit per yard slot.
CREATE UNIQUE INDEX units_active_container ON units(container_id) WHERE state <> 'departed';
CREATE UNIQUE INDEX units_slot ON units(slot) WHERE slot IS NOT NULL;
CREATE INDEX units_container ON units(container_id, id);

CREATE TABLE moves (
  id INTEGER PRIMARY KEY,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  kind TEXT NOT NULL,
  from_pos TEXT NOT NULL,
  to_pos TEXT NOT NULL,
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL
) STRICT;
CREATE INDEX moves_unit ON moves(unit_id, id);

CREATE TABLE gate_transactions (
  id INTEGER PRIMARY KEY,
  direction TEXT NOT NULL,
  container_id TEXT NOT NULL,
  truck_plate TEXT NOT NULL,
  status TEXT NOT NULL,
  unit_id INTEGER NOT NULL REFERENCES units(id),
  at_us INTEGER NOT NULL,
  actor TEXT NOT NULL
) STRICT;

CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  subject TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL,
  change TEXT NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL
) STRICT;
)sql",
      // 2: escalating lockout; login history by account.
      R"sql(
ALTER TABLE users ADD COLUMN lock_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX audit_events_target ON audit_events(target, action, seq);
)sql",
      // 3: password history (no reuse) and the time a password was set.
      R"sql(
CREATE TABLE password_history (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  hash TEXT NOT NULL,
  replaced_us INTEGER NOT NULL
) STRICT;
CREATE INDEX password_history_user ON password_history(user_id, id);
ALTER TABLE users ADD COLUMN password_set_us INTEGER NOT NULL DEFAULT 0;
)sql",
      // 4: per-account source allow-lists (canonical CIDR list; empty = any source).
      R"sql(
ALTER TABLE users ADD COLUMN allowed_sources TEXT NOT NULL DEFAULT '';
)sql",
      // 5: administrative roles split by purpose; time windows, validity, object scope; role
      // rules; two-person approvals; vendor maintenance windows; access reviews.
      R"sql(
UPDATE users SET roles = replace(roles, 'security_admin', 'user_admin,security_officer');
ALTER TABLE users ADD COLUMN login_window TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN valid_until_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN access_granted_by TEXT NOT NULL DEFAULT '';

CREATE TABLE role_rules (
  role TEXT PRIMARY KEY,
  allowed_sources TEXT NOT NULL,
  login_window TEXT NOT NULL,
  updated_us INTEGER NOT NULL,
  granted_by TEXT NOT NULL
) STRICT;

CREATE TABLE approvals (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  payload TEXT NOT NULL,
  reason TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'executed')),
  decided_by TEXT NOT NULL DEFAULT '',
  decided_us INTEGER NOT NULL DEFAULT 0,
  decision_note TEXT NOT NULL DEFAULT '',
  executed_by TEXT NOT NULL DEFAULT '',
  executed_us INTEGER NOT NULL DEFAULT 0,
  CHECK (decided_by = '' OR decided_by <> requested_by)
) STRICT;
CREATE INDEX approvals_open ON approvals(status, id);

CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL,
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  approval_id INTEGER NOT NULL REFERENCES approvals(id),
  reason TEXT NOT NULL,
  started_us INTEGER NOT NULL DEFAULT 0,
  stopped_us INTEGER NOT NULL DEFAULT 0,
  stop_reason TEXT NOT NULL DEFAULT '',
  CHECK (end_us > start_us)
) STRICT;
CREATE INDEX maintenance_windows_user ON maintenance_windows(username, stopped_us, start_us);

CREATE TABLE access_reviews (
  id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  reviewer TEXT NOT NULL,
  digest TEXT NOT NULL,
  accounts INTEGER NOT NULL,
  note TEXT NOT NULL
) STRICT;
)sql",
      // 6: new-source detection and the notification outbox (G2.1.1-f).
      R"sql(
ALTER TABLE users ADD COLUMN email TEXT NOT NULL DEFAULT '';
CREATE TABLE known_sources (
  user_id INTEGER NOT NULL REFERENCES users(id),
  network TEXT NOT NULL,
  first_seen_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  PRIMARY KEY (user_id, network)
) STRICT, WITHOUT ROWID;
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL CHECK (channel IN ('mail', 'webhook')),
  recipients TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  event TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_us INTEGER NOT NULL,
  sent_us INTEGER NOT NULL DEFAULT 0,
  abandoned INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX notifications_due ON notifications(sent_us, abandoned, next_attempt_us);
)sql",
      // 7: WebAuthn authenticators and recovery codes (G2.1.1-b).
      R"sql(
CREATE TABLE webauthn_credentials (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  credential_id BLOB NOT NULL UNIQUE,
  public_key BLOB NOT NULL,
  alg INTEGER NOT NULL,
  sign_count INTEGER NOT NULL,
  aaguid BLOB NOT NULL,
  name TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  last_used_us INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);
CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  mac BLOB NOT NULL,
  created_us INTEGER NOT NULL,
  used_us INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX recovery_codes_user ON recovery_codes(user_id, mac);
)sql",
      // 8: enrolment links and API tokens.
      R"sql(
CREATE TABLE enrolments (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token_hash BLOB NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('new', 'reset')),
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  used_us INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL
) STRICT;
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id),
  name TEXT NOT NULL,
  secret_hash BLOB NOT NULL,
  allowed_sources TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  last_used_us INTEGER NOT NULL DEFAULT 0,
  revoked_us INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens(user_id);
UPDATE users SET password_set_us = created_us WHERE password_set_us = 0;
)sql",
      // 9: the audit log becomes a Merkle log (leaf hashes, signed checkpoints) and records
      // how the subject was identified and the request id. The rows are moved by
      // upgrade_audit_to_merkle() (sqlite_store.cpp), which checks the old chain first.
      R"sql(
CREATE TABLE audit_events_v2 (
  seq INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  subject TEXT NOT NULL,
  credential TEXT NOT NULL,
  source TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT NOT NULL,
  request_id TEXT NOT NULL,
  change TEXT NOT NULL,
  leaf BLOB NOT NULL CHECK (length(leaf) = 32),
  pruned INTEGER NOT NULL DEFAULT 0
) STRICT;
DROP INDEX audit_events_target;
CREATE TABLE audit_checkpoints (
  size INTEGER PRIMARY KEY,
  root BLOB NOT NULL,
  at_us INTEGER NOT NULL,
  key_id TEXT NOT NULL,
  signature BLOB NOT NULL,
  edge BLOB NOT NULL
) STRICT;
)sql",
      // 10: terminal operations (issue 5). Blocks count 20-foot ground bays (ISO bay numbers:
      // odd 20-foot, even 40-foot) and have reefer plugs and hazardous zones; units carry their
      // full description, holds, PIN, vessel links and a version for optimistic concurrency;
      // berths, gate lanes, export bookings; Idempotency-Keys of API clients.
      R"sql(
UPDATE yard_blocks SET bays = min(49, bays);
ALTER TABLE yard_blocks ADD COLUMN reefer TEXT NOT NULL DEFAULT '';
ALTER TABLE yard_blocks ADD COLUMN hazardous INTEGER NOT NULL DEFAULT 0;
CREATE TABLE berths (
  name TEXT PRIMARY KEY,
  length_m INTEGER NOT NULL
) STRICT;
CREATE TABLE gate_lanes (
  name TEXT PRIMARY KEY,
  direction TEXT NOT NULL
) STRICT;
ALTER TABLE units ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE units ADD COLUMN holds TEXT NOT NULL DEFAULT '[]';
ALTER TABLE units ADD COLUMN booking TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN inbound_visit TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN outbound_visit TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN vessel_slot TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN in_yard_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
UPDATE units SET in_yard_us = updated_us WHERE state = 'in_yard';
-- Only units that have them pay for these indexes.
CREATE INDEX units_booking ON units(booking) WHERE booking <> '';
CREATE INDEX units_inbound ON units(inbound_visit) WHERE inbound_visit <> '';
CREATE INDEX units_outbound ON units(outbound_visit) WHERE outbound_visit <> '';
CREATE TABLE bookings (
  number TEXT PRIMARY KEY,
  line_operator TEXT NOT NULL,
  outbound_visit TEXT NOT NULL,
  pod TEXT NOT NULL,
  size_type TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  created_us INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE TABLE idempotency_keys (
  subject TEXT NOT NULL,
  key TEXT NOT NULL,
  digest TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (subject, key)
) STRICT, WITHOUT ROWID;
)sql",
      // 11: the gate (issue 5). Appointment slots with a capacity, truck appointments, truck
      // visits (arrival to exit: the turn time), the unit as it was at each interchange (the
      // EIR is printed from it), wrong release PINs counted per unit.
      R"sql(
CREATE TABLE gate_slots (
  start_us INTEGER PRIMARY KEY,
  end_us INTEGER NOT NULL,
  capacity INTEGER NOT NULL
) STRICT;
CREATE TABLE appointments (
  id INTEGER PRIMARY KEY,
  slot_start_us INTEGER NOT NULL REFERENCES gate_slots(start_us),
  direction TEXT NOT NULL,
  container_id TEXT NOT NULL,
  truck_plate TEXT NOT NULL,
  haulier TEXT NOT NULL,
  state TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  gate_id INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX appointments_slot ON appointments(slot_start_us, state);
CREATE UNIQUE INDEX appointments_booked ON appointments(container_id, direction)
  WHERE state = 'booked';
CREATE TABLE truck_visits (
  id INTEGER PRIMARY KEY,
  truck_plate TEXT NOT NULL,
  haulier TEXT NOT NULL,
  lane TEXT NOT NULL,
  arrived_us INTEGER NOT NULL,
  arrived_by TEXT NOT NULL,
  exited_us INTEGER NOT NULL DEFAULT 0,
  exited_by TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX truck_visits_open ON truck_visits(truck_plate) WHERE exited_us = 0;
CREATE INDEX truck_visits_exited ON truck_visits(exited_us) WHERE exited_us <> 0;
ALTER TABLE gate_transactions ADD COLUMN truck_visit_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gate_transactions ADD COLUMN appointment_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gate_transactions ADD COLUMN snapshot TEXT NOT NULL DEFAULT '{}';
ALTER TABLE units ADD COLUMN pin_failures INTEGER NOT NULL DEFAULT 0;
)sql",
      // 12: media intake (G2.7.1-c/d): every file from outside, its hash, type, scan verdict
      // and the scanner's signature version; EDI imports, one per file content (by hash).
      R"sql(
CREATE TABLE media_intake (
  id INTEGER PRIMARY KEY,
  received_us INTEGER NOT NULL,
  received_by TEXT NOT NULL,
  channel TEXT NOT NULL,
  file_name TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  file_type TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('clean', 'infected', 'refused', 'override')),
  signature TEXT NOT NULL DEFAULT '',
  engine TEXT NOT NULL DEFAULT '',
  database TEXT NOT NULL DEFAULT '',
  database_us INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  override_id INTEGER NOT NULL DEFAULT 0,
  stored_as TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX media_intake_sha256 ON media_intake(sha256);
CREATE TABLE edi_imports (
  sha256 TEXT PRIMARY KEY,
  intake_id INTEGER NOT NULL,
  imported_us INTEGER NOT NULL,
  imported_by TEXT NOT NULL,
  kind TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  units INTEGER NOT NULL,
  rejected INTEGER NOT NULL,
  report TEXT NOT NULL
) STRICT;
)sql",
      // 13: gate transactions by time (CODECO reports of a period).
      R"sql(
CREATE INDEX gate_transactions_at ON gate_transactions(at_us);
)sql",
      // 14 (kRowImagesMigration): from this version on every command's audit event carries the
      // rows it wrote ("redo" in its change record; store/sqlite/row_images.h), so a snapshot
      // of this version or later can be rolled forward from the audit log (G2.7.2-f). No table
      // changes; the version marks the log's content.
      R"sql(
-- row images in audit change records
)sql",
      // 15: incidents (G3.1-a/c): the register, its timeline, and the containment measures in
      // force (a row per measure while it is on).
      R"sql(
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY,
  opened_us INTEGER NOT NULL,
  opened_by TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  summary TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'contained', 'recovered', 'closed')),
  closed_us INTEGER NOT NULL DEFAULT 0,
  report TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE TABLE incident_entries (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  at_us INTEGER NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  by TEXT NOT NULL
) STRICT;
CREATE INDEX incident_entries_incident ON incident_entries(incident_id, id);
CREATE TABLE containment (
  measure TEXT PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents(id),
  since_us INTEGER NOT NULL,
  set_by TEXT NOT NULL,
  reason TEXT NOT NULL
) STRICT;
)sql",
      // 16: the asset register (G1.2, G2.6.1-a, A1.3.1-3): assets with the ledger's fields,
      // their work records, and the loans of removable media (checked out with approval).
      R"sql(
CREATE TABLE assets (
  id INTEGER PRIMARY KEY,
  tag TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('server', 'terminal', 'network', 'mfp', 'iot', 'media',
                                     'other')),
  name TEXT NOT NULL,
  serial TEXT NOT NULL DEFAULT '',
  os TEXT NOT NULL DEFAULT '',
  applications TEXT NOT NULL DEFAULT '',
  patches TEXT NOT NULL DEFAULT '',
  owner TEXT NOT NULL DEFAULT '',
  used_by TEXT NOT NULL DEFAULT '',
  place TEXT NOT NULL DEFAULT '',
  power TEXT NOT NULL DEFAULT '',
  network TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('planned', 'in_service', 'maintenance', 'retired',
                                       'disposed')),
  notes TEXT NOT NULL DEFAULT '',
  created_us INTEGER NOT NULL,
  updated_us INTEGER NOT NULL,
  updated_by TEXT NOT NULL
) STRICT;
CREATE TABLE work_records (
  id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES assets(id),
  work_date TEXT NOT NULL,
  work TEXT NOT NULL,
  worker TEXT NOT NULL,
  approved_by TEXT NOT NULL DEFAULT '',
  recorded_us INTEGER NOT NULL,
  recorded_by TEXT NOT NULL
) STRICT;
CREATE INDEX work_records_asset ON work_records(asset_id, id);
CREATE TABLE media_loans (
  id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES assets(id),
  approval_id INTEGER NOT NULL,
  holder TEXT NOT NULL,
  purpose TEXT NOT NULL,
  out_us INTEGER NOT NULL,
  due_us INTEGER NOT NULL,
  out_by TEXT NOT NULL,
  returned_us INTEGER NOT NULL DEFAULT 0,
  returned_by TEXT NOT NULL DEFAULT '',
  return_note TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX media_loans_asset ON media_loans(asset_id, id);
CREATE UNIQUE INDEX media_loans_one_out ON media_loans(asset_id) WHERE returned_us = 0;
)sql",
      // 17: the software found on each asset (G2.6.1-b, G2.7.4): the list last imported, whole
      // (a JSON array of components, secops/sbom.h), and where it came from.
      R"sql(
CREATE TABLE software_lists (
  asset_id INTEGER PRIMARY KEY REFERENCES assets(id),
  intake_id INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL,
  file_name TEXT NOT NULL DEFAULT '',
  count INTEGER NOT NULL,
  components TEXT NOT NULL,
  imported_us INTEGER NOT NULL,
  imported_by TEXT NOT NULL
) STRICT;
)sql",
      // 18: the vulnerability register (G2.7.5): advisory feeds taken in (OSV, CISA KEV), their
      // advisories and KEV entries (reference data, kept as the intake's files too), and the
      // findings: an asset's package at an affected version, with the plan for it.
      R"sql(
CREATE TABLE vuln_feeds (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('osv', 'kev')),
  file_name TEXT NOT NULL,
  intake_id INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  newest TEXT NOT NULL,
  imported_us INTEGER NOT NULL,
  imported_by TEXT NOT NULL
) STRICT;
CREATE TABLE advisories (
  id TEXT PRIMARY KEY,
  feed_id INTEGER NOT NULL,
  modified TEXT NOT NULL,
  published TEXT NOT NULL,
  summary TEXT NOT NULL,
  severity TEXT NOT NULL,
  aliases TEXT NOT NULL,
  affected TEXT NOT NULL
) STRICT;
CREATE TABLE kev (
  cve TEXT PRIMARY KEY,
  feed_id INTEGER NOT NULL,
  vendor TEXT NOT NULL,
  product TEXT NOT NULL,
  name TEXT NOT NULL,
  date_added TEXT NOT NULL,
  due_date TEXT NOT NULL,
  ransomware INTEGER NOT NULL,
  action TEXT NOT NULL
) STRICT;
CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  asset_id INTEGER NOT NULL REFERENCES assets(id),
  package TEXT NOT NULL,
  version TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  fixed TEXT NOT NULL,
  cves TEXT NOT NULL,
  summary TEXT NOT NULL,
  severity TEXT NOT NULL,
  kev INTEGER NOT NULL,
  ransomware INTEGER NOT NULL,
  kev_due TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('open', 'planned', 'mitigated', 'accepted', 'resolved')),
  owner TEXT NOT NULL DEFAULT '',
  due_date TEXT NOT NULL DEFAULT '',
  need TEXT NOT NULL DEFAULT '',
  method TEXT NOT NULL DEFAULT '',
  workaround TEXT NOT NULL DEFAULT '',
  impact TEXT NOT NULL DEFAULT '',
  schedule TEXT NOT NULL DEFAULT '',
  tests TEXT NOT NULL DEFAULT '',
  compensating TEXT NOT NULL DEFAULT '',
  first_seen_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  resolved_us INTEGER NOT NULL DEFAULT 0,
  updated_us INTEGER NOT NULL,
  updated_by TEXT NOT NULL,
  UNIQUE (asset_id, package, advisory_id)
) STRICT;
)sql",
      // 19: configuration control — each version of minato.toml seen or applied (during setup,
      // the baseline at the first start of serve, then in force or held back for approval), with
      // its difference from the one before — and the key
      // inventory (G2.3-c): each key's fingerprint, when it was first seen and last rotated,
      // and when it expires.
      R"sql(
CREATE TABLE config_versions (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL,
  text TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('setup', 'baseline', 'file', 'approved', 'restored', 'held')),
  approval_id INTEGER NOT NULL DEFAULT 0,
  changes TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  recorded_by TEXT NOT NULL
) STRICT;
CREATE TABLE key_inventory (
  name TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  rotated_us INTEGER NOT NULL DEFAULT 0,
  rotated_by TEXT NOT NULL DEFAULT '',
  expires_us INTEGER NOT NULL DEFAULT 0,
  recorded_us INTEGER NOT NULL
) STRICT;
)sql",
      // 20: the vulnerability register takes two more advisory feeds, the Debian Security
      // Tracker's JSON and NVD CVE JSON 2.0 (no table refers to vuln_feeds: rebuilt in place).
      R"sql(
CREATE TABLE vuln_feeds_20 (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('osv', 'kev', 'debian', 'nvd')),
  file_name TEXT NOT NULL,
  intake_id INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  newest TEXT NOT NULL,
  imported_us INTEGER NOT NULL,
  imported_by TEXT NOT NULL
) STRICT;
INSERT INTO vuln_feeds_20 SELECT * FROM vuln_feeds;
DROP TABLE vuln_feeds;
ALTER TABLE vuln_feeds_20 RENAME TO vuln_feeds;
)sql",
      // 21: the compliance register (issue 21): evidence of organisational measures per
      // guideline item, and each item's state as the last run of the checks found it.
      R"sql(
CREATE TABLE compliance_evidence (
  id INTEGER PRIMARY KEY,
  item TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('evidence', 'not_applicable')),
  title TEXT NOT NULL,
  owner TEXT NOT NULL,
  dated TEXT NOT NULL,
  review_by TEXT NOT NULL,
  files TEXT NOT NULL,
  note TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  recorded_by TEXT NOT NULL,
  withdrawn_us INTEGER NOT NULL DEFAULT 0,
  withdrawn_by TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE compliance_state (
  item TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  since_us INTEGER NOT NULL,
  checked_us INTEGER NOT NULL,
  reason TEXT NOT NULL,
  checked_seq INTEGER NOT NULL
) STRICT;
)sql",
  };
  return kMigrations;
}

}  // namespace minato::store
