// `minato incident`: the incident register and incident mode at the server's console (G3.1).
// The CLI writes the same audited commands as the API; a server running beside it applies the
// containment it decides within a second (IncidentService::sync).
//
//   minato incident open --severity high --summary "..." [--contain sessions,tokens,...]
//   minato incident contain ID --measure listener --reason "..."
//   minato incident release --measure listener --reason "..."
//   minato incident record ID --kind reported --text "..."
//   minato incident close ID --reason "..."
//   minato incident list | show ID | measures
//   minato incident evidence ID --out FILE [--from TIME] [--to TIME]
//   minato incident verify-evidence FILE [--trusted-key HEX]... [--trust FILE]  (no database)
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <sstream>

#include "app/runtime.h"
#include "app/views.h"
#include "audit/evidence.h"
#include "cli/cli.h"
#include "common/files.h"
#include "crypto/random.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

app::Measure measure_or_die(const std::string& name) {
  auto m = app::measure_from(name);
  if (!m) {
    die(Error(
        ErrorCode::kInvalidArgument,
        "unknown measure '" + name + "' (sessions, tokens, vendors, listener, freeze, operations)",
        "measure"));
  }
  return *m;
}

}  // namespace

void add_incident(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "incident",
      "Incidents: open one and contain it (end sessions, suspend tokens and vendors, narrow the "
      "listener, freeze privileged changes, stop terminal commands), its timeline, close (G3.1)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, severity, summary, contain, measure, reason, kind, text, out, from, to, trust;
    std::vector<std::string> trusted;
    int64_t id = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto common = [&](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory")->required();
    c->add_flag("--json", o->json, "Print the result as JSON");
  };
  const std::string measures_help =
      "Comma-separated measures: sessions, tokens, vendors, listener, freeze, operations";

  auto* open = cmd->add_subcommand(
      "open", "Open an incident and, in the same step, put containment measures in force");
  common(open);
  open->add_option("--severity", o->severity, "low, medium, high or critical")->required();
  open->add_option("--summary", o->summary, "What happened, in a sentence")->required();
  open->add_option("--contain", o->contain, measures_help);
  open->callback([o] {
    std::vector<app::Measure> ms;
    for (size_t pos = 0; pos < o->contain.size();) {
      size_t comma = o->contain.find(',', pos);
      if (comma == std::string::npos) comma = o->contain.size();
      std::string name = o->contain.substr(pos, comma - pos);
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) ms.push_back(measure_or_die(name));
      pos = comma + 1;
    }
    auto rt = open_runtime(o->data);
    auto id = rt->incidents().open(access::Actor::local_operator(), o->severity, o->summary, ms);
    if (!id) die(id.error());
    print_result(o->json, json::object{{"incident", *id}, {"measures", ms.size()}},
                 "incident " + std::to_string(*id) + " opened; " +
                     counted(static_cast<int64_t>(ms.size()), "measure", "measures") +
                     " in force\n");
  });

  auto* contain = cmd->add_subcommand("contain", "Put one containment measure in force");
  common(contain);
  contain->add_option("id", o->id, "Incident")->required();
  contain->add_option("--measure", o->measure, measures_help)->required();
  contain->add_option("--reason", o->reason, "Why (recorded)")->required();
  contain->callback([o] {
    auto m = measure_or_die(o->measure);
    auto rt = open_runtime(o->data);
    if (auto st = rt->incidents().contain(access::Actor::local_operator(), o->id, m, o->reason);
        !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"measure", o->measure}, {"on", true}},
                 o->measure + " in force\n");
  });

  auto* release = cmd->add_subcommand("release", "End one containment measure");
  common(release);
  release->add_option("--measure", o->measure, measures_help)->required();
  release->add_option("--reason", o->reason, "Why (recorded)")->required();
  release->callback([o] {
    auto m = measure_or_die(o->measure);
    auto rt = open_runtime(o->data);
    if (auto st = rt->incidents().release(access::Actor::local_operator(), m, o->reason); !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"measure", o->measure}, {"on", false}},
                 o->measure + " ended\n");
  });

  auto* record = cmd->add_subcommand(
      "record", "Add to an incident's timeline: detected, reported, notified, recovered or note");
  common(record);
  record->add_option("id", o->id, "Incident")->required();
  record->add_option("--kind", o->kind, "detected, reported, notified, recovered or note")
      ->required();
  record->add_option("--text", o->text, "What, who, when")->required();
  record->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->incidents().record(access::Actor::local_operator(), o->id, o->kind, o->text);
        !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"incident", o->id}, {"kind", o->kind}}, "recorded\n");
  });

  auto* close = cmd->add_subcommand("close", "Close an incident; its measures still in force end");
  common(close);
  close->add_option("id", o->id, "Incident")->required();
  close->add_option("--reason", o->reason, "Why it is over (recorded)")->required();
  close->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->incidents().close(access::Actor::local_operator(), o->id, o->reason); !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"incident", o->id}, {"state", "closed"}},
                 "incident " + std::to_string(o->id) + " closed\n");
  });

  auto* list = cmd->add_subcommand("list", "The incident register, newest first");
  common(list);
  list->callback([o] {
    auto rt = open_runtime(o->data);
    auto all = rt->incidents().list(access::Actor::local_operator(), 100);
    if (!all) die(all.error());
    json::array arr;
    std::string text;
    for (const auto& i : *all) {
      arr.push_back(app::to_json(i));
      text += std::to_string(i.id) + "  " + i.state + "  " + i.severity + "  " +
              format_utc(i.opened_us) + "  " + i.summary + "\n";
    }
    if (all->empty()) text = "no incident recorded\n";
    print_result(o->json, json::object{{"incidents", arr}}, text);
  });

  auto* show = cmd->add_subcommand("show", "One incident with its timeline and report");
  common(show);
  show->add_option("id", o->id, "Incident")->required();
  show->callback([o] {
    auto rt = open_runtime(o->data);
    auto v = rt->incidents().show(access::Actor::local_operator(), o->id);
    if (!v) die(v.error());
    json::object out = app::to_json(v->incident);
    json::array timeline;
    std::string text = "incident " + std::to_string(v->incident.id) + " (" + v->incident.severity +
                       ", " + v->incident.state + "): " + v->incident.summary + "\n";
    for (const auto& e : v->timeline) {
      timeline.push_back(app::to_json(e));
      text += "  " + format_utc(e.at_us) + "  " + e.kind + "  " + e.text + "  (" + e.by + ")\n";
    }
    out["timeline"] = std::move(timeline);
    print_result(o->json, out, text);
  });

  auto* measures = cmd->add_subcommand("measures", "The containment measures in force");
  common(measures);
  measures->callback([o] {
    auto rt = open_runtime(o->data);
    auto all = rt->incidents().measures(access::Actor::local_operator());
    if (!all) die(all.error());
    json::array arr;
    std::string text;
    for (const auto& m : *all) {
      arr.push_back(app::to_json(m));
      text += m.measure + "  incident " + std::to_string(m.incident_id) + "  since " +
              format_utc(m.since_us) + "  " + m.reason + "\n";
    }
    if (all->empty()) text = "no containment measure in force\n";
    print_result(o->json, json::object{{"measures", arr}}, text);
  });
  auto* evidence = cmd->add_subcommand(
      "evidence",
      "Write a signed evidence bundle: the audit events of a time range with proofs against "
      "signed checkpoints, the login history, the incident, intake records and the "
      "configuration (G3.1-b)");
  common(evidence);
  evidence->add_option("id", o->id, "Incident")->required();
  evidence->add_option("--out", o->out, "The file to write (must not exist)")->required();
  evidence->add_option("--from", o->from,
                       "Start, YYYY-MM-DDTHH:MM:SSZ (default: 14 days before the incident)");
  evidence->add_option("--to", o->to, "End, exclusive, YYYY-MM-DDTHH:MM:SSZ (default: now)");
  evidence->callback([o] {
    app::EvidenceRequest req;
    req.incident_id = o->id;
    req.path = o->out;
    if (!o->from.empty() && !parse_utc(o->from, &req.from_us)) {
      die(Error(ErrorCode::kInvalidArgument, "--from must look like 2026-12-01T00:00:00Z", "from"));
    }
    if (!o->to.empty() && !parse_utc(o->to, &req.to_us)) {
      die(Error(ErrorCode::kInvalidArgument, "--to must look like 2026-12-01T00:00:00Z", "to"));
    }
    auto rt = open_runtime(o->data);
    auto r = rt->evidence().write(access::Actor::local_operator(), req);
    if (!r) die(r.error());
    const auto& m = r->manifest;
    const int64_t events = m.to_seq - m.from_seq + 1;
    print_result(o->json,
                 json::object{{"file", o->out},
                              {"bytes", r->bytes},
                              {"events", events},
                              {"from_seq", m.from_seq},
                              {"to_seq", m.to_seq},
                              {"tree_size", m.tree_size},
                              {"key_id", m.key_id}},
                 "evidence of incident " + std::to_string(m.incident_id) + " written to " + o->out +
                     ": " + counted(events, "event", "events") + " (" + std::to_string(m.from_seq) +
                     ".." + std::to_string(m.to_seq) + "), proven against the checkpoint of size " +
                     std::to_string(m.tree_size) + ", signed by key " + m.key_id + "\n");
  });

  auto* verify = cmd->add_subcommand(
      "verify-evidence",
      "Check an evidence bundle without the database: signature, hashes, every event against "
      "the signed checkpoints (G3.1-b)");
  verify->add_option("file", o->out, "The bundle")->required();
  verify->add_option("--trusted-key", o->trusted,
                     "Trust this Ed25519 public key (64 hex digits; repeatable)");
  verify->add_option("--trust", o->trust,
                     "Trust the keys of this file (keys/audit-trust.txt of the data directory)");
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] {
    audit::TrustedKeys keys;
    for (const auto& hex : o->trusted) {
      auto pub = crypto::from_hex(hex);
      if (!pub || pub->size() != 32) {
        die(Error(ErrorCode::kInvalidArgument, "--trusted-key must be 64 hexadecimal digits",
                  "trusted-key"));
      }
      keys[audit::key_id_of(*pub)] = *pub;
    }
    if (!o->trust.empty()) {
      auto text = read_file(o->trust, 1 << 20);
      if (!text) die(text.error());
      std::istringstream in(*text);
      std::string id, hex;
      while (in >> id >> hex) {
        auto pub = crypto::from_hex(hex);
        if (!pub || pub->size() != 32 || audit::key_id_of(*pub) != id) {
          die(Error(ErrorCode::kInvalidArgument,
                    o->trust + ": the entry for " + id.substr(0, 16) + " is not a key of that id",
                    "trust"));
        }
        keys[id] = *pub;
      }
    }
    auto file = MappedFile::open(o->out);
    if (!file) die(file.error());
    auto c = audit::verify_evidence(file->bytes(), keys);
    if (!c) die(Error(c.error().code(), o->out + ": " + c.error().message()));
    const auto& m = c->manifest;
    std::string text =
        "evidence intact: incident " + std::to_string(m.incident_id) + ", " +
        counted(c->events, "event", "events") + " (" + std::to_string(m.from_seq) + ".." +
        std::to_string(m.to_seq) +
        (c->pruned > 0 ? ", " + std::to_string(c->pruned) + " pruned" : "") + "), " +
        counted(c->logins, "login event", "login events") + ", proven against " +
        counted(c->checkpoints, "signed checkpoint", "signed checkpoints") + " (tree of " +
        std::to_string(m.tree_size) + ")\nmade " + format_utc(m.created_us) + " by " +
        m.created_by + "; signed by key " + m.key_id +
        (c->pinned ? " (trusted)\n"
                   : "\nnote: no trusted key was given, so this shows the bundle is unchanged "
                     "since it was signed, not who signed it; pass --trust or --trusted-key\n");
    json::array members;
    for (const auto& mem : m.members) members.push_back(json::string(mem.name));
    print_result(o->json,
                 json::object{{"intact", true},
                              {"incident", m.incident_id},
                              {"events", c->events},
                              {"pruned", c->pruned},
                              {"logins", c->logins},
                              {"checkpoints", c->checkpoints},
                              {"from_seq", m.from_seq},
                              {"to_seq", m.to_seq},
                              {"tree_size", m.tree_size},
                              {"key_id", m.key_id},
                              {"pinned", c->pinned},
                              {"members", members}},
                 text);
  });
}

}  // namespace minato::cli
