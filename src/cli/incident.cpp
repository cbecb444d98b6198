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
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

std::unique_ptr<app::Runtime> open_or_die(const std::string& data) {
  auto rt = app::Runtime::open(data);
  if (!rt) die(rt.error());
  return std::move(*rt);
}

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
    std::string data, severity, summary, contain, measure, reason, kind, text;
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
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
    if (auto st = rt->incidents().close(access::Actor::local_operator(), o->id, o->reason); !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"incident", o->id}, {"state", "closed"}},
                 "incident " + std::to_string(o->id) + " closed\n");
  });

  auto* list = cmd->add_subcommand("list", "The incident register, newest first");
  common(list);
  list->callback([o] {
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
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
    auto rt = open_or_die(o->data);
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
}

}  // namespace minato::cli
