// `minato vuln`: the vulnerability register (G2.7.5, G2.7.1-a).
//
//   minato vuln import FILE --data DIR   an OSV or CISA KEV JSON feed, via the media intake
//   minato vuln list --data DIR          findings (KEV first), feed ages, warnings
//   minato vuln show ID --data DIR
//   minato vuln plan ID --data DIR [--state planned --owner ... --due-date 2026-12-31
//       --need ... --method ... --workaround ... --impact ... --schedule ... --tests ...
//       --compensating ...]
//   minato vuln match --data DIR         match every advisory against the inventory again
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

std::string finding_line(const app::FindingView& v) {
  const auto& f = v.finding;
  std::string flags = f.kev ? (f.ransomware ? " [KEV, ransomware]" : " [KEV]") : "";
  return std::to_string(f.id) + "  " + f.state + "  " + v.tag + "  " + f.package + " " + f.version +
         "  " + f.advisory_id + (f.cves.empty() ? "" : " (" + f.cves + ")") + flags +
         (f.fixed.empty() ? "  no fix yet" : "  fixed in " + f.fixed) +
         (f.owner.empty() ? "" : "  owner " + f.owner) +
         (f.due_date.empty() ? "" : "  due " + f.due_date) + "\n";
}

}  // namespace

void add_vuln(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "vuln", "The vulnerability register: advisory feeds, findings and their plans (G2.7.5)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, file;
    int64_t id = 0;
    bool json = false;
    app::FindingPlan plan;
  };
  auto o = std::make_shared<Opts>();
  auto common = [&](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory")->required();
    c->add_flag("--json", o->json, "Print the result as JSON");
  };

  auto* take_in = cmd->add_subcommand(
      "import", "Take in an advisory feed (OSV JSON, or the CISA KEV catalogue) and match it");
  common(take_in);
  take_in->add_option("file", o->file, "The feed")->required()->check(CLI::ExistingFile);
  take_in->callback([o] {
    auto bytes = read_file(o->file, size_t{1} << 30);
    if (!bytes) die(bytes.error());
    auto rt = open_runtime(o->data);
    auto r = rt->vulnerabilities().import_feed(access::Actor::local_operator(),
                                               std::filesystem::path(o->file).filename().string(),
                                               std::move(*bytes), "cli");
    if (!r) die(r.error());
    print_result(o->json, app::to_json(*r),
                 r->kind + " feed taken in (intake record " + std::to_string(r->intake_id) +
                     "): " + counted(r->entries, "entry", "entries") + "; " +
                     counted(r->new_findings, "new finding", "new findings") + ", " +
                     std::to_string(r->resolved) + " resolved, " + std::to_string(r->open) +
                     " open\n");
  });

  auto* list = cmd->add_subcommand("list", "Findings, the feeds' ages, and what may be missing");
  common(list);
  list->callback([o] {
    auto rt = open_runtime(o->data);
    auto r = rt->vulnerabilities().list(access::Actor::local_operator());
    if (!r) die(r.error());
    std::string text;
    for (const auto& w : r->warnings) text += "WARNING: " + w.text + "\n";
    for (const auto& s : r->feeds) {
      text += s.kind + " feed " + s.file_name + ": newest " + s.newest + ", " +
              std::to_string(s.age_days) + " days old" + (s.stale ? " (STALE)" : "") + "\n";
    }
    for (const auto& f : r->findings) text += finding_line(f);
    if (r->findings.empty()) text += "no finding\n";
    print_result(o->json, app::to_json(*r), text);
  });

  auto* show = cmd->add_subcommand("show", "One finding with its plan");
  common(show);
  show->add_option("id", o->id, "Finding")->required();
  show->callback([o] {
    auto rt = open_runtime(o->data);
    auto v = rt->vulnerabilities().show(access::Actor::local_operator(), o->id);
    if (!v) die(v.error());
    std::string text = finding_line(*v) + "  " + v->finding.summary + "\n";
    const auto& f = v->finding;
    for (const auto& field : app::kPlanFields) {
      const std::string& value = f.*field.member;
      if (!value.empty() && field.name != "state" && field.name != "owner" &&
          field.name != "due_date") {
        text += "  " + std::string(field.name) + ": " + value + "\n";
      }
    }
    print_result(o->json, app::to_json(*v), text);
  });

  auto* plan = cmd->add_subcommand("plan", "Set a finding's plan fields (only those given)");
  common(plan);
  plan->add_option("id", o->id, "Finding")->required();
  for (const auto& field : app::kPlanFields) {
    std::string option(field.name);
    std::replace(option.begin(), option.end(), '_', '-');
    plan->add_option_function<std::string>(
        "--" + option, [o, n = std::string(field.name)](const std::string& v) { o->plan[n] = v; },
        "The finding's " + option);
  }
  plan->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->vulnerabilities().plan(access::Actor::local_operator(), o->id, o->plan);
        !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"id", o->id}},
                 "finding " + std::to_string(o->id) + " updated\n");
  });

  auto* match = cmd->add_subcommand("match", "Match every advisory against the inventory again");
  common(match);
  match->callback([o] {
    auto rt = open_runtime(o->data);
    auto m = rt->vulnerabilities().rematch(access::Actor::local_operator());
    if (!m) die(m.error());
    print_result(o->json,
                 json::object{{"opened", json::array(m->opened.begin(), m->opened.end())},
                              {"resolved", json::array(m->resolved.begin(), m->resolved.end())},
                              {"open", m->open}},
                 std::to_string(m->opened.size()) + " opened, " +
                     std::to_string(m->resolved.size()) + " resolved, " + std::to_string(m->open) +
                     " open\n");
  });
}

}  // namespace minato::cli
