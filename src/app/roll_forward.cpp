#include "app/roll_forward.h"

#include <boost/json.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>

#include "audit/event.h"
#include "common/clock.h"
#include "store/migrations.h"

namespace minato::app {

namespace json = boost::json;

namespace {

// The seq of an event line as event_json() writes it ({"type":"event","seq":N,...}) without
// parsing the rest; 0 when the line has another form (then it is parsed in full).
int64_t quick_seq(std::string_view line) {
  constexpr std::string_view kPrefix = R"({"type":"event","seq":)";
  if (line.substr(0, kPrefix.size()) != kPrefix) return 0;
  int64_t seq = 0;
  auto rest = line.substr(kPrefix.size());
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), seq);
  if (ec != std::errc() || p == rest.data() + rest.size() || *p != ',') return 0;
  return seq;
}

std::string text(const json::object& o, const char* key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Result<store::AuditRecord> parse_event(const json::object& o, const std::string& where) {
  store::AuditRecord r;
  const auto* seq = o.if_contains("seq");
  const auto* at = o.if_contains("at_us");
  if (seq == nullptr || !seq->is_int64() || at == nullptr || !at->is_int64()) {
    return fail(ErrorCode::kDataLoss, where + ": an event without seq or at_us");
  }
  if (o.contains("redacted")) {
    return fail(ErrorCode::kFailedPrecondition,
                where +
                    ": a redacted copy (the shipped log) cannot be replayed; use the logs "
                    "backup set or an `audit export`");
  }
  r.seq = seq->get_int64();
  r.at_us = at->get_int64();
  r.subject = text(o, "subject");
  r.credential = text(o, "credential");
  r.source = text(o, "source");
  r.action = text(o, "action");
  r.target = text(o, "target");
  r.result = text(o, "result");
  r.reason = text(o, "reason");
  r.request_id = text(o, "request_id");
  r.change = text(o, "change");
  if (const auto* p = o.if_contains("pruned"); p != nullptr && p->is_bool())
    r.pruned = p->get_bool();
  auto leaf = audit::hash_from_hex(text(o, "leaf"));
  if (!leaf) return fail(ErrorCode::kDataLoss, where + ": the event's leaf is not a hash");
  r.leaf = std::string(audit::as_bytes(*leaf));
  return r;
}

}  // namespace

Result<RollForwardReport> roll_forward(store::Store& store, const RollForwardOptions& o) {
  RollForwardReport rep;
  auto tx = store.write();
  if (!tx) return fail(tx.error());
  auto head = (*tx)->audit_head();
  if (!head) return fail(head.error());
  rep.snapshot_size = *head;
  rep.to_seq = *head;

  // The tree's edge at the snapshot's head: the newest checkpoint's edge, then the leaves after.
  audit::CompactRange edge;
  int64_t from = 1;
  if (auto cp = (*tx)->last_checkpoint(); cp && *cp && (*cp)->size <= *head) {
    auto parsed = audit::CompactRange::parse((**cp).edge);
    if (parsed && static_cast<int64_t>(parsed->size()) == (**cp).size &&
        audit::as_bytes(parsed->root()) == (**cp).root) {
      edge = std::move(*parsed);
      from = (**cp).size + 1;
    }
  }
  std::string last_leaf;
  MINATO_TRY((*tx)->scan_audit_leaves(from, *head, [&](int64_t, std::string_view leaf) {
    edge.append(audit::hash_from_bytes(leaf));
    last_leaf = std::string(leaf);
  }));
  if (*head > 0 && last_leaf.empty()) {
    auto rx = (*tx)->scan_audit_leaves(
        *head, *head, [&](int64_t, std::string_view leaf) { last_leaf = std::string(leaf); });
    if (!rx) return fail(rx.error());
  }

  // Shipped checkpoints past the snapshot, by size; each must carry a trusted signature.
  std::map<int64_t, const store::CheckpointRecord*> checkpoints;
  for (const auto& c : o.trust.external_checkpoints) {
    if (c.size <= *head) continue;
    auto key = o.trust.keys.find(c.key_id);
    if (key == o.trust.keys.end() ||
        !audit::checkpoint_signature_ok(o.trust.origin, c, key->second)) {
      return fail(ErrorCode::kDataLoss, "the shipped checkpoint at size " + std::to_string(c.size) +
                                            " is not signed by a trusted audit key");
    }
    checkpoints[c.size] = &c;
  }

  std::ifstream in(o.events_path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read the audit events " + o.events_path);
  std::error_code ec;
  const uint64_t total = std::filesystem::file_size(o.events_path, ec);
  uint64_t done = 0, reported = 0;
  const bool replay = o.snapshot_schema >= store::kRowImagesMigration;
  if (!replay) {
    rep.stopped_reason = "the snapshot's schema version " + std::to_string(o.snapshot_schema) +
                         " predates row images in the audit log (" +
                         std::to_string(store::kRowImagesMigration) + ")";
  }
  bool stopped = !replay;
  int64_t line_no = 0;
  std::string line;
  auto stop = [&](const store::AuditRecord& r, std::string why) {
    stopped = true;
    rep.stopped_seq = r.seq;
    rep.stopped_at_us = r.at_us;
    rep.stopped_action = r.action;
    rep.stopped_target = r.target;
    rep.stopped_reason = std::move(why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    done += line.size() + 1;
    if (o.progress && done - reported >= (4u << 20)) {
      reported = done;
      o.progress(done, total);
    }
    if (line.empty()) continue;
    const std::string where = o.events_path + " line " + std::to_string(line_no);
    int64_t seq = quick_seq(line);
    if (seq != 0 && seq < *head) continue;
    if (seq != 0 && stopped && seq > *head) {
      rep.available = std::max(rep.available, seq);
      continue;
    }
    json::error_code jec;
    json::value doc = json::parse(line, jec);
    if (jec || !doc.is_object()) return fail(ErrorCode::kDataLoss, where + ": not a JSON object");
    const auto& obj = doc.get_object();
    if (text(obj, "type") != "event") continue;  // checkpoints and other lines
    auto r = parse_event(obj, where);
    if (!r) return fail(r.error());
    if (r->seq < *head) continue;
    if (r->seq == *head) {
      if (r->leaf != last_leaf) {
        return fail(ErrorCode::kDataLoss,
                    where + ": event " + std::to_string(r->seq) +
                        " is not the snapshot's: the events are of another history of the log");
      }
      continue;
    }
    rep.available = std::max(rep.available, r->seq);
    if (stopped) continue;
    if (r->seq != rep.to_seq + 1) {
      return fail(ErrorCode::kDataLoss, where + ": event " + std::to_string(r->seq) +
                                            " follows event " + std::to_string(rep.to_seq) +
                                            "; the events in between are missing");
    }
    if (std::string(audit::as_bytes(audit::event_leaf(*r))) != r->leaf) {
      return fail(ErrorCode::kDataLoss, where + ": event " + std::to_string(r->seq) +
                                            " does not hash to its recorded leaf (changed)");
    }
    if (o.until_us != 0 && r->at_us > o.until_us) {
      stopped = true;  // the point in time asked for
      continue;
    }
    if (r->pruned) {
      stop(*r, "its content was removed by audit retention");
      continue;
    }
    // Its rows, in a savepoint: a change that cannot be replayed leaves nothing behind.
    int64_t prune_before = 0;
    if (r->action == "audit.prune" && r->result == "success") {
      json::value change = json::parse(r->change, jec);
      if (!jec && change.is_object()) {
        if (const auto* b = change.get_object().if_contains("before_seq"); b && b->is_int64())
          prune_before = b->get_int64();
      }
    }
    MINATO_TRY((*tx)->savepoint());
    int64_t rows = 0;
    Status applied = ok();
    if (r->change.find("\"redo\":[") != std::string::npos) {
      auto n = (*tx)->apply_row_images(r->change);
      if (n) {
        rows = *n;
      } else {
        applied = fail(n.error());
      }
    }
    if (applied && prune_before > 0) {
      auto pruned = (*tx)->prune_audit(prune_before);
      if (!pruned) applied = fail(pruned.error());
    }
    (void)(*tx)->take_row_images();
    if (!applied) {
      MINATO_TRY((*tx)->rollback_to_savepoint());
      stop(*r, applied.error().message());
      continue;
    }
    MINATO_TRY((*tx)->append_audit(*r));
    MINATO_TRY((*tx)->release_savepoint());
    edge.append(audit::hash_from_bytes(r->leaf));
    ++rep.events;
    rep.row_images += rows;
    rep.to_seq = r->seq;
    rep.to_at_us = r->at_us;
    if (auto c = checkpoints.find(r->seq); c != checkpoints.end()) {
      if (audit::as_bytes(edge.root()) != c->second->root) {
        return fail(ErrorCode::kDataLoss,
                    "after event " + std::to_string(r->seq) +
                        " the log's root is not the one its signed checkpoint names");
      }
      store::CheckpointRecord stored = *c->second;
      stored.edge = edge.serialize();
      MINATO_TRY((*tx)->insert_checkpoint(stored));
      ++rep.checkpoints;
    }
  }
  if (in.bad()) return fail(ErrorCode::kUnavailable, "cannot read " + o.events_path);
  if (rep.to_seq == o.expect_size && !o.expect_root.empty() &&
      audit::to_hex(edge.root()) != o.expect_root) {
    return fail(ErrorCode::kDataLoss, "the replayed log's root at event " +
                                          std::to_string(rep.to_seq) +
                                          " is not the one the logs set's signed manifest names");
  }
  if (o.progress) o.progress(total, total);
  MINATO_TRY((*tx)->commit());
  return rep;
}

}  // namespace minato::app
