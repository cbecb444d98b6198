#include "audit/log.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "common/clock.h"
#include "crypto/random.h"

namespace minato::audit {

namespace json = boost::json;

store::CheckpointRecord make_checkpoint(const crypto::SigningKey& key, std::string_view origin,
                                        const CompactRange& edge, int64_t at_us) {
  store::CheckpointRecord c;
  c.size = static_cast<int64_t>(edge.size());
  c.root = std::string(as_bytes(edge.root()));
  c.at_us = at_us;
  c.key_id = key_id_of(key.public_key());
  c.edge = edge.serialize();
  c.signature = key.sign(checkpoint_body(origin, c));
  return c;
}

bool checkpoint_signature_ok(std::string_view origin, const store::CheckpointRecord& c,
                             std::string_view public_key) {
  return key_id_of(public_key) == c.key_id &&
         crypto::SigningKey::verify(public_key, checkpoint_body(origin, c), c.signature);
}

Log::Log(const crypto::SigningKey& key, std::string origin, CheckpointPolicy policy)
    : key_(key), origin_(std::move(origin)), policy_(policy) {
  policy_.every_events = std::max<int64_t>(1, policy_.every_events);
  policy_.every_seconds = std::max<int64_t>(1, policy_.every_seconds);
}

Status Log::load(store::WriteTxn& tx, int64_t head) {
  edge_ = CompactRange();
  last_cp_size_ = 0;
  last_cp_at_us_ = 0;
  int64_t from = 1;
  auto cp = tx.last_checkpoint();
  if (!cp) return fail(cp.error());
  if (*cp && (*cp)->size <= head) {
    // Start from the newest checkpoint's tree edge if it still matches its signed root; if it
    // does not (tampering), rebuild from the first event and let `audit verify` say why.
    auto edge = CompactRange::parse((*cp)->edge);
    if (edge && static_cast<int64_t>(edge->size()) == (*cp)->size &&
        as_bytes(edge->root()) == (*cp)->root) {
      edge_ = std::move(*edge);
      from = (*cp)->size + 1;
    }
    last_cp_size_ = (*cp)->size;
    last_cp_at_us_ = (*cp)->at_us;
  }
  MINATO_TRY(tx.scan_audit_leaves(
      from, head, [&](int64_t, std::string_view leaf) { edge_.append(hash_from_bytes(leaf)); }));
  next_seq_ = head + 1;
  size_ = static_cast<int64_t>(edge_.size());
  checkpointed_ = last_cp_size_;
  loaded_ = true;
  return ok();
}

Status Log::begin(store::WriteTxn& tx) {
  staged_.clear();
  pending_.reset();
  auto head = tx.audit_head();
  if (!head) return fail(head.error());
  if (!loaded_ || *head < next_seq_ - 1) {
    ++foreign_changes_;
    return load(tx, *head);
  }
  if (*head > next_seq_ - 1) {
    ++foreign_changes_;
    // Another process (the CLI on the host) appended events: take them into the tree.
    MINATO_TRY(tx.scan_audit_leaves(next_seq_, *head, [&](int64_t, std::string_view leaf) {
      edge_.append(hash_from_bytes(leaf));
    }));
    next_seq_ = *head + 1;
    auto cp = tx.last_checkpoint();
    if (!cp) return fail(cp.error());
    if (*cp && (*cp)->size > last_cp_size_) {
      last_cp_size_ = (*cp)->size;
      last_cp_at_us_ = (*cp)->at_us;
    }
    size_ = static_cast<int64_t>(edge_.size());
  }
  return ok();
}

Result<int64_t> Log::append(store::WriteTxn& tx, AuditEvent& e) {
  e.seq = next_seq_ + static_cast<int64_t>(staged_.size());
  e.pruned = false;
  Hash leaf = event_leaf(e);
  e.leaf.assign(reinterpret_cast<const char*>(leaf.data()), leaf.size());
  MINATO_TRY(tx.append_audit(e));
  staged_.push_back(leaf);
  return e.seq;
}

void Log::drop_last() {
  if (!staged_.empty()) staged_.pop_back();
}

Result<bool> Log::checkpoint_if_due(store::WriteTxn& tx, int64_t now_us, bool force) {
  int64_t total = static_cast<int64_t>(edge_.size() + staged_.size());
  if (total == last_cp_size_) return false;
  bool first = last_cp_size_ == 0;  // the first checkpoint is written at once
  bool due = force || first || total - last_cp_size_ >= policy_.every_events ||
             now_us - last_cp_at_us_ >= policy_.every_seconds * 1'000'000;
  if (!due) return false;
  // Another process (the CLI beside a running server) may have checkpointed this very tree
  // already. Writing the same size again would fail the transaction — and, the checkpoint
  // still being due, the next one, without end: take it as ours instead.
  auto newest = tx.last_checkpoint();
  if (!newest) return fail(newest.error());
  if (*newest && (*newest)->size >= total) {
    last_cp_size_ = (*newest)->size;
    last_cp_at_us_ = (*newest)->at_us;
    checkpointed_ = last_cp_size_;
    return false;
  }
  CompactRange edge = edge_;
  for (const auto& h : staged_) edge.append(h);
  auto cp = make_checkpoint(key_, origin_, edge, now_us);
  MINATO_TRY(tx.insert_checkpoint(cp));
  pending_ = std::move(cp);
  return true;
}

std::optional<store::CheckpointRecord> Log::committed() {
  for (const auto& h : staged_) edge_.append(h);
  next_seq_ += static_cast<int64_t>(staged_.size());
  staged_.clear();
  size_ = static_cast<int64_t>(edge_.size());
  auto cp = std::exchange(pending_, std::nullopt);
  if (cp) {
    last_cp_size_ = cp->size;
    last_cp_at_us_ = cp->at_us;
    checkpointed_ = cp->size;
  }
  return cp;
}

void Log::aborted() {
  staged_.clear();
  pending_.reset();
}

int64_t Log::us_until_due(int64_t now_us) const {
  if (!loaded_ || static_cast<int64_t>(edge_.size()) == last_cp_size_) return -1;
  if (last_cp_size_ == 0) return 0;
  return std::max<int64_t>(0, last_cp_at_us_ + policy_.every_seconds * 1'000'000 - now_us);
}

namespace {

std::string when(int64_t at_us) { return format_utc(at_us); }

struct Expectation {
  std::string root;
  bool external = false;
  int64_t at_us = 0;
};

}  // namespace

namespace {

// What one worker found in its range of events.
struct RangeResult {
  // The tree of this range's leaves on its own (up to the first problem), and its roots at the
  // checkpoint sizes that fall in the range.
  CompactRange edge;
  std::map<int64_t, Hash> roots;
  int64_t first_bad = 0, bad_until = 0;
  std::string problem;
  int64_t pruned = 0;
  int64_t first_pruned = 0;  // lowest pruned seq
  int64_t first_kept = 0;    // lowest seq with content
  int64_t prune_limit = 0;   // largest before_seq of a successful audit.prune
  Status status = ok();
};

void verify_range(store::Store& store, int64_t from, int64_t to, const VerifyOptions& opt,
                  const std::vector<int64_t>& sizes, RangeResult& out) {
  auto next_size = std::lower_bound(sizes.begin(), sizes.end(), from);
  auto rx = store.read();
  if (!rx) {
    out.status = fail(rx.error());
    return;
  }
  int64_t expected = from;
  auto bad = [&](int64_t seq, int64_t until, std::string why) {
    out.first_bad = seq;
    out.bad_until = until;
    out.problem = std::move(why);
    return false;
  };
  out.status = (*rx)->scan_audit_views(from, to, [&](const store::AuditRowView& r) {
    if (r.seq != expected) {
      return bad(expected, r.seq - 1,
                 r.seq - 1 == expected
                     ? "event " + std::to_string(expected) + " is missing (deleted)"
                     : "events " + std::to_string(expected) + " to " + std::to_string(r.seq - 1) +
                           " are missing (deleted)");
    }
    if (r.leaf.size() != 32) {
      return bad(r.seq, 0, "event " + std::to_string(r.seq) + " has no valid leaf hash");
    }
    if (r.pruned) {
      if (out.first_kept != 0) {
        return bad(r.seq, 0,
                   "the content of event " + std::to_string(r.seq) +
                       " was removed although earlier events were kept (not a retention prune)");
      }
      ++out.pruned;
      if (out.first_pruned == 0) out.first_pruned = r.seq;
    } else {
      if (out.first_kept == 0) out.first_kept = r.seq;
      if (as_bytes(event_leaf(r)) != r.leaf) {
        return bad(r.seq, 0,
                   "event " + std::to_string(r.seq) +
                       "'s content does not match its leaf hash (the event was changed)");
      }
      if (r.action == "audit.prune" && r.result == "success") {
        boost::system::error_code ec;
        auto v = json::parse(r.change, ec);
        if (!ec && v.is_object()) {
          if (auto* b = v.as_object().if_contains("before_seq"); b && b->is_int64()) {
            out.prune_limit = std::max(out.prune_limit, b->as_int64());
          }
        }
      }
    }
    if (auto it = opt.external_leaves.find(r.seq);
        it != opt.external_leaves.end() && it->second != r.leaf) {
      return bad(r.seq, 0,
                 "event " + std::to_string(r.seq) +
                     "'s leaf hash differs from the copy kept outside (the event was changed " +
                     "and re-hashed)");
    }
    out.edge.append(hash_from_bytes(r.leaf));
    for (; next_size != sizes.end() && *next_size <= r.seq; ++next_size) {
      if (*next_size == r.seq) out.roots.emplace(r.seq, out.edge.root());
    }
    ++expected;
    return true;
  });
  if (out.status && out.first_bad == 0 && expected != to + 1) {
    // Rows missing at the end of this range (the log's head was read before the workers).
    bad(expected, to,
        "events " + std::to_string(expected) + " to " + std::to_string(to) +
            " are missing (deleted)");
  }
}

}  // namespace

Result<VerifyReport> verify(store::Store& store, const VerifyOptions& opt) {
  VerifyReport rep;
  auto bad = [&](int64_t seq, int64_t until, std::string why) {
    if (rep.first_bad == 0 || seq < rep.first_bad) {
      rep.first_bad = seq;
      rep.bad_until = until;
      rep.problem = std::move(why);
    }
  };

  auto rx = store.read();
  if (!rx) return fail(rx.error());
  // Rows beyond the highest seq are read as the head: a gap anywhere shows as a missing seq.
  auto head = (*rx)->audit_head();
  if (!head) return fail(head.error());

  // 1. Every checkpoint, in the database or kept outside, must be signed by a trusted key
  //    (checked on the second thread, beside the reading of the events).
  std::multimap<int64_t, Expectation> expect;
  auto cps = (*rx)->checkpoints();
  if (!cps) return fail(cps.error());
  rx = fail(ErrorCode::kInternal, "closed");
  std::vector<std::pair<const store::CheckpointRecord*, bool>> all;
  for (const auto& c : *cps) all.emplace_back(&c, false);
  for (const auto& c : opt.external_checkpoints) all.emplace_back(&c, true);
  std::vector<int64_t> sizes;
  for (const auto& [c, external] : all) sizes.push_back(c->size);
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  std::vector<std::string> signature_problems(all.size());
  auto check_signatures = [&] {
    for (size_t i = 0; i < all.size(); ++i) {
      const auto& c = *all[i].first;
      std::string name = "the checkpoint of " + std::to_string(c.size) + " events " +
                         (all[i].second ? "kept outside" : "in the database") + " (signed " +
                         when(c.at_us) + ")";
      auto key = opt.keys.find(c.key_id);
      if (key == opt.keys.end()) {
        signature_problems[i] = name + " is signed by key " + c.key_id.substr(0, 16) +
                                ", which is not a trusted audit key (re-signed by someone else?)";
      } else if (!checkpoint_signature_ok(opt.origin, c, key->second)) {
        signature_problems[i] =
            name + " has a signature that does not verify (the checkpoint was altered)";
      }
    }
  };

  // 2. Read and re-hash the events, in two ranges at once for a large log. The split is at the
  //    largest power of two B below the head, so the tree of the second range is the right
  //    subtree of every tree size in (B, head]: root(n) = node(MTH[0, B), MTH[B, n)).
  int64_t n_head = *head;
  bool split = n_head >= opt.parallel_min_events && n_head >= 2;
  int64_t B =
      split ? static_cast<int64_t>(std::bit_floor(static_cast<uint64_t>(n_head - 1))) : n_head;
  std::vector<RangeResult> parts(split ? 2 : 1);
  {
    std::thread second;
    if (split) {
      second = std::thread([&] {
        verify_range(store, B + 1, n_head, opt, sizes, parts[1]);
        check_signatures();
      });
    }
    verify_range(store, 1, B, opt, sizes, parts[0]);
    if (second.joinable()) {
      second.join();
    } else {
      check_signatures();
    }
  }
  for (auto& p : parts) MINATO_TRY(p.status);
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& c = *all[i].first;
    if (!signature_problems[i].empty()) {
      bad(c.size, 0, signature_problems[i]);
    } else if (c.size > 0) {
      expect.emplace(c.size, Expectation{c.root, all[i].second, c.at_us});
    }
  }

  // 3. Compare the tree with every checkpoint in order, up to the first bad row; then the
  //    rules that span ranges (pruning).
  int64_t last_good = 0, prune_limit = 0, pruned = 0;
  bool stop = false, seen_kept = false;
  auto next = expect.begin();
  Hash left_root = parts[0].edge.root();
  int64_t total = 0;
  for (size_t i = 0; i < parts.size() && !stop; ++i) {
    auto& p = parts[i];
    int64_t offset = i == 0 ? 0 : B;
    int64_t end = offset + static_cast<int64_t>(p.edge.size());
    for (; next != expect.end() && next->first <= end; ++next) {
      int64_t n = next->first;
      if (n <= offset) continue;  // a size inside a previous part that was not reached
      Hash root = i == 0 ? p.roots.at(n) : node_hash(left_root, p.roots.at(n));
      if (as_bytes(root) != next->second.root) {
        const std::string which =
            std::string(next->second.external ? "kept outside" : "in the database") + " signed " +
            when(next->second.at_us);
        if (n <= last_good) {
          // The events up to n already matched another checkpoint of the same size: this one
          // is of another log, not a sign that an event changed.
          bad(n, 0,
              "a checkpoint " + which + " for the first " + std::to_string(n) +
                  " events names another tree than the log and the checkpoint of that size "
                  "already checked: it belongs to another log (a restored copy writing into "
                  "this installation's checkpoint directory?) or was forged");
        } else {
          bad(last_good + 1, n,
              "the first " + std::to_string(n) + " events do not match the checkpoint " + which +
                  ": an event between " + std::to_string(last_good + 1) + " and " +
                  std::to_string(n) + " was changed, removed or reordered");
        }
        stop = true;
        break;
      }
      last_good = n;
      ++(next->second.external ? rep.external : rep.checkpoints);
    }
    total = end;
    prune_limit = std::max(prune_limit, p.prune_limit);
    if (p.pruned > 0 && seen_kept) {
      bad(p.first_pruned, 0,
          "the content of event " + std::to_string(p.first_pruned) +
              " was removed although earlier events were kept (not a retention prune)");
    }
    pruned += p.pruned;
    if (p.first_kept != 0) seen_kept = true;
    if (p.first_bad != 0) {
      bad(p.first_bad, p.bad_until, p.problem);
      stop = true;
    }
  }
  Hash whole = parts.size() == 2 && parts[1].edge.size() > 0
                   ? node_hash(left_root, parts[1].edge.root())
                   : left_root;
  rep.events = total;
  rep.pruned = pruned;
  rep.root = to_hex(whole);
  rep.last_checkpoint = last_good;
  if (!stop) {
    // 4. Checkpoints beyond the end: the newest events were removed.
    int64_t n = rep.events;
    for (; next != expect.end(); ++next) {
      if (next->first > n) {
        bad(n + 1, next->first,
            "the log ends at event " + std::to_string(n) + " but a checkpoint " +
                (next->second.external ? "kept outside" : "in the database") + " signed " +
                when(next->second.at_us) + " covers " + std::to_string(next->first) +
                " events: events " + std::to_string(n + 1) + " to " + std::to_string(next->first) +
                " were removed (truncated)");
        break;
      }
    }
    if (rep.pruned > 0 && rep.pruned >= prune_limit) {
      bad(std::max<int64_t>(1, prune_limit), 0,
          "events up to " + std::to_string(rep.pruned) +
              " have had their content removed, but no recorded retention prune covers them " +
              "(the last covers events before " + std::to_string(prune_limit) + ")");
    }
  }
  return rep;
}

namespace {

Status read_external_file(const std::string& path, VerifyOptions& into) {
  // One file is one copy, however it was named (a directory given with --external that is
  // also audit.checkpoint_dir): read twice, its checkpoints would be counted twice.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 &&
      !into.files_read.emplace(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino))
           .second) {
    return ok();
  }
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_external(text, path, into);
}

}  // namespace

Status parse_external(std::string_view text, const std::string& path, VerifyOptions& into) {
  int64_t lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    ++lineno;
    size_t brace = line.find('{');
    if (brace == std::string::npos) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line.substr(brace), ec);
    if (ec || !v.is_object()) continue;  // other syslog traffic in the same file
    const auto& o = v.as_object();
    const auto* type = o.if_contains("type");
    if (type == nullptr || !type->is_string()) continue;
    auto where = [&](std::string what) {
      return Error(ErrorCode::kInvalidArgument, path + ":" + std::to_string(lineno) + ": " + what);
    };
    try {
      if (type->as_string() == "checkpoint") {
        store::CheckpointRecord c;
        c.size = o.at("size").as_int64();
        auto root = hash_from_hex(o.at("root").as_string());
        if (!root) return fail(where("checkpoint root is not a hash"));
        c.root = std::string(as_bytes(*root));
        c.at_us = o.at("at_us").as_int64();
        c.key_id = std::string(o.at("key_id").as_string());
        auto sig = crypto::from_hex(o.at("signature").as_string());
        if (!sig || sig->size() != 64) return fail(where("checkpoint signature is not 64 bytes"));
        c.signature = *sig;
        if (const auto* origin = o.if_contains("origin");
            origin && origin->is_string() && origin->as_string() != into.origin) {
          continue;  // another log's checkpoint
        }
        into.external_checkpoints.push_back(std::move(c));
      } else if (type->as_string() == "event") {
        auto leaf = hash_from_hex(o.at("leaf").as_string());
        if (!leaf) return fail(where("event leaf is not a hash"));
        into.external_leaves[o.at("seq").as_int64()] = std::string(as_bytes(*leaf));
      }
    } catch (const std::exception&) {
      return fail(where("a " + std::string(type->as_string()) + " line lacks a field or has " +
                        "one of the wrong type"));
    }
  }
  return ok();
}

Status read_external(const std::string& path, VerifyOptions& into) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(ErrorCode::kNotFound, path + " does not exist");
  }
  if (!S_ISDIR(st.st_mode)) return read_external_file(path, into);
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return fail(ErrorCode::kPermissionDenied, "cannot list " + path);
  std::vector<std::string> files;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".json") files.push_back(name);
  }
  ::closedir(d);
  std::sort(files.begin(), files.end());
  for (const auto& f : files) MINATO_TRY(read_external_file(path + "/" + f, into));
  return ok();
}

}  // namespace minato::audit
