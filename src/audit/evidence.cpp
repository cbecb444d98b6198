#include "audit/evidence.h"

#include <boost/json.hpp>

#include "audit/event.h"
#include "audit/merkle_tree.h"
#include "crypto/keys.h"
#include "crypto/random.h"

namespace minato::audit {

namespace json = boost::json;

bool is_login_action(std::string_view action) { return action.starts_with("session."); }

std::string manifest_json(const EvidenceManifest& m) {
  json::object keys;
  for (const auto& [id, pub] : m.keys) keys[id] = pub;
  json::array members;
  for (const auto& mem : m.members) {
    members.push_back(json::object{{"name", mem.name}, {"size", mem.size}, {"sha256", mem.sha256}});
  }
  json::object o{{"format", m.format},         {"minato_version", m.minato_version},
                 {"origin", m.origin},         {"incident", m.incident_id},
                 {"created_us", m.created_us}, {"created_by", m.created_by},
                 {"from_us", m.from_us},       {"to_us", m.to_us},
                 {"from_seq", m.from_seq},     {"to_seq", m.to_seq},
                 {"tree_size", m.tree_size},   {"key_id", m.key_id},
                 {"keys", std::move(keys)},    {"members", std::move(members)}};
  return json::serialize(o) + "\n";
}

namespace {

Error broken(std::string where) { return Error(ErrorCode::kDataLoss, std::move(where)); }

const json::value& field(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr) throw std::invalid_argument("lacks \"" + std::string(name) + "\"");
  return *v;
}
int64_t int_field(const json::object& o, std::string_view name) {
  const auto& v = field(o, name);
  if (!v.is_int64()) throw std::invalid_argument("\"" + std::string(name) + "\" is not a number");
  return v.as_int64();
}
std::string str_field(const json::object& o, std::string_view name) {
  const auto& v = field(o, name);
  if (!v.is_string()) throw std::invalid_argument("\"" + std::string(name) + "\" is not text");
  return std::string(v.as_string());
}
Hash hash_field(const json::object& o, std::string_view name) {
  auto h = hash_from_hex(str_field(o, name));
  if (!h) throw std::invalid_argument("\"" + std::string(name) + "\" is not a hash");
  return *h;
}
std::vector<Hash> hash_list(const json::value& v, std::string_view name) {
  if (!v.is_array()) throw std::invalid_argument("\"" + std::string(name) + "\" is not a list");
  std::vector<Hash> out;
  for (const auto& e : v.as_array()) {
    auto h = e.is_string() ? hash_from_hex(e.as_string())
                           : Result<Hash>(fail(ErrorCode::kInvalidArgument, ""));
    if (!h) throw std::invalid_argument("\"" + std::string(name) + "\" holds a non-hash");
    out.push_back(*h);
  }
  return out;
}
json::array hex_list(const std::vector<Hash>& hs) {
  json::array a;
  for (const auto& h : hs) a.push_back(json::string(to_hex(h)));
  return a;
}

// Lines of `text` (each ending in '\n'); calls visit(line, number) until it fails.
template <typename F>
Status each_line(std::string_view text, std::string_view member, F&& visit) {
  int64_t n = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return fail(broken(std::string(member) + " line " + std::to_string(n + 1) +
                         ": the last line has no newline (cut short?)"));
    }
    MINATO_TRY(visit(text.substr(0, nl), ++n));
    text.remove_prefix(nl + 1);
  }
  return ok();
}

}  // namespace

Result<EvidenceManifest> parse_manifest(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return fail(broken("manifest.json is not a JSON object"));
  const auto& o = v.as_object();
  EvidenceManifest m;
  try {
    m.format = str_field(o, "format");
    if (m.format != kEvidenceFormat) {
      return fail(broken("manifest.json: format \"" + m.format + "\" is not " +
                         std::string(kEvidenceFormat)));
    }
    m.minato_version = str_field(o, "minato_version");
    m.origin = str_field(o, "origin");
    m.incident_id = int_field(o, "incident");
    m.created_us = int_field(o, "created_us");
    m.created_by = str_field(o, "created_by");
    m.from_us = int_field(o, "from_us");
    m.to_us = int_field(o, "to_us");
    m.from_seq = int_field(o, "from_seq");
    m.to_seq = int_field(o, "to_seq");
    m.tree_size = int_field(o, "tree_size");
    m.key_id = str_field(o, "key_id");
    const auto& keys = field(o, "keys");
    if (!keys.is_object()) throw std::invalid_argument("\"keys\" is not an object");
    for (const auto& kv : keys.as_object()) {
      if (!kv.value().is_string()) throw std::invalid_argument("a key is not text");
      m.keys[std::string(kv.key())] = std::string(kv.value().as_string());
    }
    const auto& members = field(o, "members");
    if (!members.is_array()) throw std::invalid_argument("\"members\" is not a list");
    for (const auto& e : members.as_array()) {
      if (!e.is_object()) throw std::invalid_argument("a member is not an object");
      const auto& mo = e.as_object();
      int64_t size = int_field(mo, "size");
      if (size < 0) throw std::invalid_argument("a member's size is negative");
      m.members.push_back(
          TarMember{str_field(mo, "name"), static_cast<uint64_t>(size), str_field(mo, "sha256")});
    }
  } catch (const std::exception& e) {
    return fail(broken(std::string("manifest.json: ") + e.what()));
  }
  if (m.from_seq < 1 || m.to_seq < m.from_seq || m.tree_size < m.to_seq) {
    return fail(broken("manifest.json: the event range " + std::to_string(m.from_seq) + ".." +
                       std::to_string(m.to_seq) + " does not fit a tree of " +
                       std::to_string(m.tree_size)));
  }
  return m;
}

std::string proofs_json(const std::vector<Hash>& range,
                        const std::vector<std::pair<int64_t, std::vector<Hash>>>& consistency) {
  json::array cons;
  for (const auto& [size, path] : consistency) {
    cons.push_back(json::object{{"size", size}, {"path", hex_list(path)}});
  }
  return json::serialize(json::object{{"range", hex_list(range)}, {"consistency", cons}}) + "\n";
}

namespace {

// One line of events.jsonl as the record it describes (leaf and pruned as stated).
store::AuditRecord parse_event(const json::object& o) {
  if (str_field(o, "type") != "event") throw std::invalid_argument("is not an event");
  store::AuditRecord r;
  r.seq = int_field(o, "seq");
  r.at_us = int_field(o, "at_us");
  r.subject = str_field(o, "subject");
  r.credential = str_field(o, "credential");
  r.source = str_field(o, "source");
  r.action = str_field(o, "action");
  r.target = str_field(o, "target");
  r.result = str_field(o, "result");
  r.reason = str_field(o, "reason");
  r.request_id = str_field(o, "request_id");
  r.change = str_field(o, "change");
  r.leaf = std::string(as_bytes(hash_field(o, "leaf")));
  if (const auto* p = o.if_contains("pruned")) r.pruned = p->is_bool() && p->as_bool();
  if (o.if_contains("redacted") != nullptr) throw std::invalid_argument("is redacted");
  return r;
}

store::CheckpointRecord parse_checkpoint(const json::object& o, const std::string& origin) {
  if (str_field(o, "type") != "checkpoint") throw std::invalid_argument("is not a checkpoint");
  if (str_field(o, "origin") != origin) throw std::invalid_argument("is of another log's origin");
  store::CheckpointRecord c;
  c.size = int_field(o, "size");
  c.root = std::string(as_bytes(hash_field(o, "root")));
  c.at_us = int_field(o, "at_us");
  c.key_id = str_field(o, "key_id");
  auto sig = crypto::from_hex(str_field(o, "signature"));
  if (!sig || sig->size() != 64) throw std::invalid_argument("has no 64-byte signature");
  c.signature = *sig;
  return c;
}

struct Checked {
  std::map<std::string, std::string> keys;  // key id -> raw public key, as allowed
  bool pinned = true;
};

}  // namespace

Result<EvidenceCheck> verify_evidence(std::string_view archive, const TrustedKeys& trusted) {
  auto entries = read_tar(archive, kMaxEvidenceMembers + 2);
  if (!entries) return fail(broken("evidence " + entries.error().message()));
  const auto& ents = *entries;
  if (ents.size() < 2 || ents[ents.size() - 2].name != kManifestMember ||
      ents.back().name != kSignatureMember) {
    return fail(broken("the archive does not end with manifest.json and manifest.sig"));
  }
  const std::string_view manifest_text = ents[ents.size() - 2].data;
  auto parsed = parse_manifest(manifest_text);
  if (!parsed) return fail(parsed.error());
  EvidenceCheck out;
  out.manifest = std::move(*parsed);
  const EvidenceManifest& m = out.manifest;

  // The keys: each must be what its id says; with trusted keys given, each must be one of them.
  Checked keys;
  keys.pinned = !trusted.empty();
  for (const auto& [id, hex] : m.keys) {
    auto pub = crypto::from_hex(hex);
    if (!pub || pub->size() != 32 || key_id_of(*pub) != id) {
      return fail(broken("manifest.json: key " + id + " is not the public key of that id"));
    }
    if (!trusted.empty()) {
      auto t = trusted.find(id);
      if (t == trusted.end() || t->second != *pub) {
        return fail(Error(
            ErrorCode::kPermissionDenied,
            "the bundle is signed with key " + id + ", which is not among the trusted keys given"));
      }
    }
    keys.keys[id] = *pub;
  }
  out.pinned = keys.pinned;
  auto signer = keys.keys.find(m.key_id);
  if (signer == keys.keys.end()) {
    return fail(broken("manifest.json: its signing key " + m.key_id + " is not listed"));
  }
  std::string_view sig_text = ents.back().data;
  auto sig = crypto::from_hex(sig_text.substr(0, sig_text.find('\n')));
  // Exactly as written: lower-case hex and a newline (upper case would decode the same).
  if (!sig || sig->size() != 64 || sig_text != crypto::to_hex(*sig) + "\n") {
    return fail(broken("manifest.sig is not one 64-byte signature in hex"));
  }
  if (!crypto::SigningKey::verify(signer->second, manifest_text, *sig)) {
    return fail(
        broken("manifest.json: the signature does not verify (the manifest or its "
               "signature was changed)"));
  }

  // Every member as the manifest lists it, each with the bundle's time.
  const int64_t mtime = m.created_us / 1'000'000;
  if (ents.size() - 2 != m.members.size()) {
    return fail(broken("the archive holds " + std::to_string(ents.size() - 2) +
                       " members but the manifest lists " + std::to_string(m.members.size())));
  }
  std::map<std::string, std::string_view> content;
  std::string hash_problem;  // told after the structured checks, which say more exactly where
  for (size_t i = 0; i < ents.size(); ++i) {
    if (ents[i].mtime_s != mtime) {
      return fail(broken("archive byte " + std::to_string(ents[i].header_offset) + ": " +
                         ents[i].name + " has another time than the manifest's"));
    }
    if (i + 2 >= ents.size()) continue;
    const auto& want = m.members[i];
    if (ents[i].name != want.name || ents[i].data.size() != want.size) {
      return fail(broken("archive byte " + std::to_string(ents[i].header_offset) + ": member " +
                         std::to_string(i + 1) + " is " + ents[i].name + " of " +
                         std::to_string(ents[i].data.size()) + " bytes; the manifest says " +
                         want.name + " of " + std::to_string(want.size)));
    }
    if (crypto::to_hex(crypto::sha256(ents[i].data)) != want.sha256 && hash_problem.empty()) {
      hash_problem = want.name + ": its SHA-256 differs from the manifest's (changed)";
    }
    content[want.name] = ents[i].data;
  }
  for (auto name : {kEventsMember, kLoginsMember, kCheckpointsMember, kProofsMember}) {
    if (!content.contains(std::string(name))) {
      return fail(broken("the bundle has no " + std::string(name)));
    }
  }

  // The events: contiguous from from_seq to to_seq, each matching its leaf.
  std::vector<Hash> leaves;
  leaves.reserve(static_cast<size_t>(m.to_seq - m.from_seq + 1));
  std::string logins_expected;
  MINATO_TRY(each_line(content[std::string(kEventsMember)], kEventsMember,
                       [&](std::string_view line, int64_t n) -> Status {
                         const int64_t seq = m.from_seq + n - 1;
                         auto where = [&](const std::string& what) {
                           return broken("events.jsonl line " + std::to_string(n) + " (event " +
                                         std::to_string(seq) + "): " + what);
                         };
                         boost::system::error_code ec;
                         json::value v = json::parse(line, ec);
                         if (ec || !v.is_object())
                           return fail(where("not a JSON object (changed?)"));
                         store::AuditRecord r;
                         try {
                           r = parse_event(v.as_object());
                         } catch (const std::exception& e) {
                           return fail(where(std::string("the line ") + e.what()));
                         }
                         if (r.seq != seq)
                           return fail(where("holds event " + std::to_string(r.seq)));
                         const Hash stated = hash_from_bytes(r.leaf);
                         if (r.pruned) {
                           ++out.pruned;
                         } else if (event_leaf(r) != stated) {
                           return fail(where("its content does not match its leaf hash (changed)"));
                         }
                         leaves.push_back(stated);
                         if (is_login_action(r.action)) {
                           logins_expected.append(line);
                           logins_expected.push_back('\n');
                           ++out.logins;
                         }
                         return ok();
                       }));
  out.events = static_cast<int64_t>(leaves.size());
  if (out.events != m.to_seq - m.from_seq + 1) {
    return fail(broken("events.jsonl holds " + std::to_string(out.events) + " events; the range " +
                       std::to_string(m.from_seq) + ".." + std::to_string(m.to_seq) + " has " +
                       std::to_string(m.to_seq - m.from_seq + 1)));
  }
  if (std::string_view logins = content[std::string(kLoginsMember)]; logins != logins_expected) {
    size_t at = 0;
    while (at < logins.size() && at < logins_expected.size() && logins[at] == logins_expected[at]) {
      ++at;
    }
    const auto line = 1 + std::count(logins.begin(), logins.begin() + static_cast<long>(at), '\n');
    return fail(broken("logins.jsonl line " + std::to_string(line) +
                       " is not the login event of events.jsonl it repeats (changed)"));
  }

  // The checkpoints: each signed by a listed key; the last is the anchor.
  std::vector<store::CheckpointRecord> cps;
  MINATO_TRY(each_line(content[std::string(kCheckpointsMember)], kCheckpointsMember,
                       [&](std::string_view line, int64_t n) -> Status {
                         auto where = [&](const std::string& what) {
                           return broken("checkpoints.jsonl line " + std::to_string(n) + ": " +
                                         what);
                         };
                         boost::system::error_code ec;
                         json::value v = json::parse(line, ec);
                         if (ec || !v.is_object())
                           return fail(where("not a JSON object (changed?)"));
                         store::CheckpointRecord c;
                         try {
                           c = parse_checkpoint(v.as_object(), m.origin);
                         } catch (const std::exception& e) {
                           return fail(where(std::string("the line ") + e.what()));
                         }
                         auto key = keys.keys.find(c.key_id);
                         if (key == keys.keys.end())
                           return fail(where("signed by key " + c.key_id + ", not listed"));
                         if (!checkpoint_signature_ok(m.origin, c, key->second)) {
                           return fail(where("the checkpoint of size " + std::to_string(c.size) +
                                             " has a signature that does not verify (changed)"));
                         }
                         if (!cps.empty() && c.size <= cps.back().size) {
                           return fail(where("checkpoints are not in order of size"));
                         }
                         cps.push_back(std::move(c));
                         return ok();
                       }));
  if (cps.empty() || cps.back().size != m.tree_size) {
    return fail(broken("checkpoints.jsonl does not end with the checkpoint of size " +
                       std::to_string(m.tree_size) + " the manifest names"));
  }
  out.checkpoints = static_cast<int64_t>(cps.size());
  const Hash anchor = hash_from_bytes(cps.back().root);

  // The proofs: the events are the leaves from_seq..to_seq of the anchor's tree, and every
  // other checkpoint is a prefix of it.
  boost::system::error_code ec;
  json::value pv = json::parse(content[std::string(kProofsMember)], ec);
  if (ec || !pv.is_object()) return fail(broken("proofs.json is not a JSON object (changed?)"));
  try {
    const auto& po = pv.as_object();
    auto range = hash_list(field(po, "range"), "range");
    if (!verify_range(static_cast<uint64_t>(m.from_seq - 1), leaves,
                      static_cast<uint64_t>(m.tree_size), range, anchor)) {
      return fail(broken("proofs.json: the events " + std::to_string(m.from_seq) + ".." +
                         std::to_string(m.to_seq) +
                         " do not prove against the checkpoint of size " +
                         std::to_string(m.tree_size) + " (an event or the proof was changed)"));
    }
    const auto& cons = field(po, "consistency");
    if (!cons.is_array()) throw std::invalid_argument("\"consistency\" is not a list");
    std::map<int64_t, std::vector<Hash>> paths;
    for (const auto& e : cons.as_array()) {
      if (!e.is_object()) throw std::invalid_argument("a consistency proof is not an object");
      paths[int_field(e.as_object(), "size")] = hash_list(field(e.as_object(), "path"), "path");
    }
    for (size_t i = 0; i + 1 < cps.size(); ++i) {
      auto p = paths.find(cps[i].size);
      if (p == paths.end()) {
        return fail(broken("proofs.json: no consistency proof for the checkpoint of size " +
                           std::to_string(cps[i].size)));
      }
      if (!verify_consistency(static_cast<uint64_t>(cps[i].size),
                              static_cast<uint64_t>(m.tree_size), hash_from_bytes(cps[i].root),
                              anchor, p->second)) {
        return fail(broken("proofs.json: the checkpoint of size " + std::to_string(cps[i].size) +
                           " is not a prefix of the checkpoint of size " +
                           std::to_string(m.tree_size) + " (the log was rewritten, or changed)"));
      }
    }
  } catch (const std::exception& e) {
    return fail(broken(std::string("proofs.json: ") + e.what()));
  }
  if (!hash_problem.empty()) return fail(broken(hash_problem));
  return out;
}

}  // namespace minato::audit
