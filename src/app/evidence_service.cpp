#include "app/evidence_service.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <map>

#include "app/runtime.h"
#include "app/views.h"
#include "audit/event.h"
#include "audit/merkle_tree.h"
#include "common/clock.h"
#include "common/files.h"
#include "common/tar.h"
#include "common/version.h"
#include "crypto/random.h"

namespace minato::app {

namespace json = boost::json;
using access::Permission;

namespace {

constexpr int64_t kDayUs = int64_t{86'400} * 1'000'000;

// The checkpoints that go into the bundle: the last before the range, at most
// kMaxCheckpoints inside it (evenly, the first and last kept), and the anchor.
std::vector<store::CheckpointRecord> choose_checkpoints(std::vector<store::CheckpointRecord> all,
                                                        int64_t from_seq, int64_t anchor_size,
                                                        size_t max_inside) {
  std::vector<store::CheckpointRecord> before, inside, out;
  for (auto& c : all) {
    if (c.size < from_seq) {
      before.assign(1, std::move(c));
    } else if (c.size < anchor_size) {
      inside.push_back(std::move(c));
    } else if (c.size == anchor_size) {
      out.push_back(std::move(c));  // the anchor, put last below
    }
  }
  std::vector<store::CheckpointRecord> chosen = std::move(before);
  if (inside.size() <= max_inside) {
    std::move(inside.begin(), inside.end(), std::back_inserter(chosen));
  } else {
    for (size_t i = 0; i < max_inside; ++i) {
      chosen.push_back(std::move(inside[i * (inside.size() - 1) / (max_inside - 1)]));
    }
  }
  if (!out.empty()) chosen.push_back(std::move(out.back()));
  return chosen;
}

std::string jsonl(const std::vector<json::object>& rows) {
  std::string out;
  for (const auto& r : rows) out += json::serialize(r) + "\n";
  return out;
}

}  // namespace

Result<std::string> EvidenceService::kept_path(int64_t incident_id) const {
  const std::string dir = rt_.paths().dir + "/evidence";
  if (auto st = make_dir(dir, 0700, false); !st) return fail(st.error());
  const std::string stem = dir + "/incident-" + std::to_string(incident_id) + "-" +
                           format_utc(rt_.clock().now_us(), "%Y%m%dT%H%M%SZ");
  std::string path = stem + ".tar";
  for (int n = 2; ::access(path.c_str(), F_OK) == 0 && n < 100; ++n) {
    path = stem + "-" + std::to_string(n) + ".tar";  // two in the same second
  }
  return path;
}

Result<EvidenceResult> EvidenceService::write(const access::Actor& actor,
                                              const EvidenceRequest& req) {
  const std::string target = "incident:" + std::to_string(req.incident_id);
  const Permission need =
      actor.has(Permission::kAuditLog) ? Permission::kAuditLog : Permission::kIncident;
  // Refused (and audited) before anything else is looked at.
  MINATO_TRY(rt_.writes().authorize(actor, {"incident.evidence", target, need}));
  if (req.path.empty()) {
    return fail(ErrorCode::kInvalidArgument, "name the file to write", "out");
  }
  if (::access(req.path.c_str(), F_OK) == 0) {
    return fail(ErrorCode::kAlreadyExists,
                req.path + " exists; evidence is never written over (choose another name)", "out");
  }
  if (req.from_us < 0 || req.to_us < 0 || (req.to_us != 0 && req.to_us <= req.from_us)) {
    return fail(ErrorCode::kInvalidArgument, "the time range must end after it starts", "to");
  }
  store::IncidentRecord incident;
  {
    auto rx = rt_.store().read();
    if (!rx) return fail(rx.error());
    auto found = (*rx)->find_incident(req.incident_id);
    if (!found) return fail(found.error());
    if (!*found) {
      return fail(ErrorCode::kNotFound, "no incident " + std::to_string(req.incident_id),
                  "incident");
    }
    incident = std::move(**found);
  }
  const int64_t from_us =
      req.from_us != 0 ? req.from_us
                       : std::max<int64_t>(0, incident.opened_us - kDefaultDaysBefore * kDayUs);

  // The request is itself evidence: recorded, and signed by a checkpoint at once, so the
  // bundle's anchor covers it.
  MINATO_TRY(rt_.writes().execute_status(
      actor, {"incident.evidence", target, need}, [&](store::WriteTxn&, Effects& fx) -> Status {
        fx.change = json::serialize(
            json::object{{"from_us", from_us}, {"to_us", req.to_us}, {"file", req.path}});
        fx.checkpoint = true;
        return ok();
      }));
  const int64_t created_us = rt_.clock().now_us();

  auto rx = rt_.store().read();
  if (!rx) return fail(rx.error());
  auto& r = **rx;
  auto last = r.last_checkpoint();
  if (!last) return fail(last.error());
  if (!*last) return fail(ErrorCode::kInternal, "the audit log has no checkpoint");
  const store::CheckpointRecord anchor = **last;
  auto from_seq = r.audit_seq_at(from_us);
  if (!from_seq) return fail(from_seq.error());
  int64_t to_seq = anchor.size;
  if (req.to_us != 0) {
    auto end = r.audit_seq_at(req.to_us);
    if (!end) return fail(end.error());
    to_seq = std::min(to_seq, *end - 1);
  }
  if (*from_seq > to_seq) {
    return fail(ErrorCode::kNotFound, "no audit events in that time range", "from");
  }

  // The whole tree, checked against the anchor before anything is written from it.
  std::vector<audit::Hash> leaves;
  leaves.reserve(static_cast<size_t>(anchor.size));
  MINATO_TRY(r.scan_audit_leaves(1, anchor.size, [&](int64_t, std::string_view leaf) {
    leaves.push_back(audit::hash_from_bytes(leaf));
  }));
  if (static_cast<int64_t>(leaves.size()) != anchor.size) {
    return fail(ErrorCode::kDataLoss,
                "the audit log has missing events; run `minato audit verify` for the position");
  }
  audit::Tree tree(std::move(leaves));
  if (audit::as_bytes(tree.root(static_cast<uint64_t>(anchor.size))) != anchor.root) {
    return fail(ErrorCode::kDataLoss,
                "the audit log does not match its newest checkpoint; run `minato audit verify`");
  }
  auto all_cps = r.checkpoints();
  if (!all_cps) return fail(all_cps.error());
  auto cps = choose_checkpoints(std::move(*all_cps), *from_seq, anchor.size, kMaxCheckpoints);

  audit::EvidenceManifest m;
  m.minato_version = std::string(kMinatoVersion);
  m.origin = rt_.config().audit_origin;
  m.incident_id = incident.id;
  m.created_us = created_us;
  m.created_by = actor.subject;
  m.from_us = from_us;
  m.to_us = req.to_us;
  m.from_seq = *from_seq;
  m.to_seq = to_seq;
  m.tree_size = anchor.size;
  m.key_id = audit::key_id_of(rt_.audit_key().public_key());
  auto trusted = rt_.trusted_audit_keys();
  if (!trusted) return fail(trusted.error());
  m.keys[m.key_id] = crypto::to_hex(rt_.audit_key().public_key());
  for (const auto& c : cps) {
    auto k = trusted->find(c.key_id);
    if (k == trusted->end()) {
      return fail(ErrorCode::kDataLoss, "checkpoint " + std::to_string(c.size) +
                                            " is signed by key " + c.key_id +
                                            ", which keys/audit-trust.txt does not hold");
    }
    m.keys[c.key_id] = crypto::to_hex(k->second);
  }

  const std::string partial = req.path + ".partial";
  auto tw = TarWriter::create(partial, created_us / 1'000'000);
  if (!tw) return fail(tw.error());
  auto& w = **tw;
  auto member = [&](Result<TarMember> got) -> Status {
    if (!got) return fail(got.error());
    m.members.push_back(std::move(*got));
    return ok();
  };

  // events.jsonl, and the login history among them.
  MINATO_TRY(w.begin(std::string(audit::kEventsMember)));
  std::string logins;
  Status written = ok();
  MINATO_TRY(r.scan_audit(*from_seq, [&](const store::AuditRecord& e) {
    if (e.seq > to_seq) return false;
    std::string line = audit::event_json(e) + "\n";
    if (audit::is_login_action(e.action)) logins += line;
    written = w.write(line);
    return static_cast<bool>(written);
  }));
  MINATO_TRY(written);
  MINATO_TRY(member(w.end()));
  MINATO_TRY(member(w.add(std::string(audit::kLoginsMember), logins)));

  std::string cp_lines;
  std::vector<std::pair<int64_t, std::vector<audit::Hash>>> consistency;
  for (const auto& c : cps) {
    cp_lines += audit::checkpoint_json(m.origin, c) + "\n";
    if (c.size != anchor.size) {
      consistency.emplace_back(c.size, tree.consistency_proof(static_cast<uint64_t>(c.size),
                                                              static_cast<uint64_t>(anchor.size)));
    }
  }
  MINATO_TRY(member(w.add(std::string(audit::kCheckpointsMember), cp_lines)));
  MINATO_TRY(member(w.add(std::string(audit::kProofsMember),
                          audit::proofs_json(tree.range_proof(static_cast<uint64_t>(*from_seq - 1),
                                                              static_cast<uint64_t>(to_seq),
                                                              static_cast<uint64_t>(anchor.size)),
                                             consistency))));

  // The incident as it stands, with the measures in force.
  auto timeline = r.incident_entries(incident.id);
  if (!timeline) return fail(timeline.error());
  auto measures = r.containment();
  if (!measures) return fail(measures.error());
  json::array entries, in_force;
  for (const auto& e : *timeline) entries.push_back(to_json(e));
  for (const auto& c : *measures) in_force.push_back(to_json(c));
  json::object inc = to_json(incident);
  inc["timeline"] = std::move(entries);
  inc["measures_in_force"] = std::move(in_force);
  MINATO_TRY(member(w.add("incident.json", json::serialize(inc) + "\n")));

  // Media brought in during the range (G2.7.1-b), oldest first.
  auto intake = r.list_media_intake(100'000);
  if (!intake) return fail(intake.error());
  std::vector<json::object> rows;
  for (auto it = intake->rbegin(); it != intake->rend(); ++it) {
    if (it->received_us >= from_us && (req.to_us == 0 || it->received_us < req.to_us)) {
      rows.push_back(to_json(*it));
    }
  }
  MINATO_TRY(member(w.add("intake.jsonl", jsonl(rows))));

  // What the terminal's IT consisted of and what ran on it (G1.2, G2.6.1-b), and the
  // vulnerability register with its plans and the feeds' ages (G2.7.5), as they stand: what
  // was exposed, and known to be, when the incident was handled.
  auto assets = r.list_assets();
  if (!assets) return fail(assets.error());
  auto lists = r.software_lists();
  if (!lists) return fail(lists.error());
  std::map<int64_t, std::string> tags;
  json::array asset_rows;
  for (const auto& a : *assets) {
    tags[a.id] = a.tag;
    json::object row = to_json(a);
    for (const auto& l : *lists) {
      if (l.asset_id != a.id) continue;
      row["software"] = json::object{{"source", l.source},
                                     {"file", l.file_name},
                                     {"intake_id", l.intake_id},
                                     {"imported", format_utc(l.imported_us)},
                                     {"components", json::parse(l.components)}};
    }
    asset_rows.push_back(std::move(row));
  }
  MINATO_TRY(member(w.add("assets.json", json::serialize(asset_rows) + "\n")));
  auto findings = r.findings();
  if (!findings) return fail(findings.error());
  auto feeds = r.vuln_feeds();
  if (!feeds) return fail(feeds.error());
  json::array finding_rows, feed_rows;
  for (const auto& f : *findings) finding_rows.push_back(to_json(FindingView{f, tags[f.asset_id]}));
  for (const auto& f : *feeds) {
    feed_rows.push_back(json::object{{"kind", f.kind},
                                     {"file", f.file_name},
                                     {"intake_id", f.intake_id},
                                     {"entries", f.entries},
                                     {"newest", f.newest},
                                     {"imported", format_utc(f.imported_us)},
                                     {"by", f.imported_by}});
  }
  MINATO_TRY(member(w.add("vulnerabilities.json",
                          json::serialize(json::object{{"findings", std::move(finding_rows)},
                                                       {"feeds", std::move(feed_rows)}}) +
                              "\n")));

  // The configuration as it is on disk (it names files for secrets; it holds none).
  auto config = read_file(rt_.paths().config(), 4 << 20);
  if (!config) return fail(config.error());
  MINATO_TRY(member(w.add("config.toml", *config)));

  const std::string manifest = audit::manifest_json(m);
  if (auto got = w.add(std::string(audit::kManifestMember), manifest); !got) {
    return fail(got.error());
  }
  if (auto got = w.add(std::string(audit::kSignatureMember),
                       crypto::to_hex(rt_.audit_key().sign(manifest)) + "\n");
      !got) {
    return fail(got.error());
  }
  MINATO_TRY(w.finish());
  if (::link(partial.c_str(), req.path.c_str()) != 0) {
    int e = errno;
    ::unlink(partial.c_str());
    return fail(e == EEXIST ? ErrorCode::kAlreadyExists : ErrorCode::kInternal,
                "cannot put the bundle at " + req.path + ": " + std::strerror(e));
  }
  ::unlink(partial.c_str());
  EvidenceResult out;
  out.manifest = std::move(m);
  struct stat st {};
  out.bytes = ::stat(req.path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
  return out;
}

}  // namespace minato::app
