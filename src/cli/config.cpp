// `minato config`: configuration control (app/config_service.h).
//
//   minato config show --data DIR [--all]      the settings in force and where each came from
//   minato config versions --data DIR          every version of minato.toml recorded
//   minato config version ID --data DIR        one version's text
//   minato config propose --data DIR --set table.key=value ... --reason "..."
//                                              (no --set: propose the file as it stands)
//   minato config approve ID --data DIR [--note "..."]   a second person (not the proposer)
//   minato config reject ID --data DIR [--note "..."]
//   minato config apply ID --data DIR          write the approved change to minato.toml
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/clock.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

std::string change_lines(const std::vector<config::SettingChange>& changes) {
  std::string out;
  for (const auto& c : changes) {
    out += "  " + c.name + ": \"" + c.from + "\" -> \"" + c.to + "\"" +
           (c.security ? "  (security: needs approval)" : "") + "\n";
  }
  return out;
}

std::string source_text(const app::SettingView& s) {
  std::string out;
  if (s.source == "held") {
    out = "HELD: the file says \"" + s.file_value + "\" (line " + std::to_string(s.line) +
          "), not approved";
  } else if (s.source == "flag") {
    out = "a flag of this run (the file says \"" + s.file_value + "\")";
  } else if (s.source == "file") {
    out = "minato.toml line " + std::to_string(s.line);
  } else {
    out = "default";
  }
  if (s.version_id != 0) {
    out += "; since version " + std::to_string(s.version_id) + " (" + s.version_kind +
           (s.approval_id != 0 ? " by request " + std::to_string(s.approval_id) : "") + ", " +
           s.by + ")";
  }
  return out;
}

}  // namespace

void add_config(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "config",
      "Configuration control: the settings in force and their sources, versions of "
      "minato.toml, changes under the two-person rule");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, reason, note;
    std::vector<std::string> set;
    int64_t id = 0;
    bool json = false, all = false;
  };
  auto o = std::make_shared<Opts>();
  auto common = [&](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory")->required();
    c->add_flag("--json", o->json, "Print the result as JSON");
  };

  auto* show = cmd->add_subcommand("show", "The settings in force, and where each came from");
  common(show);
  show->add_flag("--all", o->all,
                 "Every setting (without it: those not at their default, and held ones)");
  show->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    auto v = rt->config_control().view(access::Actor::local_operator());
    if (!v) die(v.error());
    std::string text;
    for (const auto& s : v->settings) {
      if (!o->all && s.value == s.default_value && s.source != "held") continue;
      text += s.name + " = \"" + s.value + "\"" + (s.security ? "" : "  [operational]") + "\n    " +
              source_text(s) + "\n";
    }
    text += "\nminato.toml sha256 " + v->file_sha256 + "\n";
    if (v->restart_needed) {
      text +=
          "minato.toml changed since this configuration was read: `serve` uses it at its "
          "next start\n";
    }
    if (!v->held.empty()) {
      text += "Held until a change is approved (minato config propose):\n" + change_lines(v->held);
    }
    print_result(o->json, app::to_json(*v), text);
  });

  auto* versions = cmd->add_subcommand("versions", "Every version of minato.toml recorded");
  common(versions);
  versions->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    auto v = rt->config_control().view(access::Actor::local_operator());
    if (!v) die(v.error());
    json::array list;
    std::string text;
    for (const auto& r : v->versions) {
      list.push_back(app::to_json(r));
      auto changes = app::to_json(r).at("changes").as_array().size();
      text += std::to_string(r.id) + "  " + format_utc(r.recorded_us) + "  " + r.kind +
              (r.approval_id != 0 ? " (request " + std::to_string(r.approval_id) + ")" : "") +
              "  " + r.recorded_by + "  " +
              counted(static_cast<int64_t>(changes), "change", "changes") + "  sha256 " +
              r.sha256.substr(0, 16) + "\n";
    }
    print_result(o->json, json::object{{"versions", std::move(list)}}, text);
  });

  auto* version = cmd->add_subcommand("version", "One version of minato.toml, with its text");
  common(version);
  version->add_option("id", o->id, "The version")->required();
  version->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    auto v = rt->config_control().version(access::Actor::local_operator(), o->id);
    if (!v) die(v.error());
    print_result(o->json, app::to_json(*v, true), v->text);
  });

  auto* propose = cmd->add_subcommand(
      "propose",
      "Propose a change for a second person to approve (without --set: minato.toml as it "
      "stands, with its held changes)");
  common(propose);
  propose->add_option("--set", o->set,
                      "table.key=value (repeatable), e.g. login.lockout_threshold=3");
  propose->add_option("--reason", o->reason, "Why (1-200 characters)")->required();
  propose->callback([o] {
    std::vector<std::pair<std::string, std::string>> changes;
    for (const auto& s : o->set) {
      size_t eq = s.find('=');
      if (eq == std::string::npos || eq == 0) {
        die(Error(ErrorCode::kInvalidArgument,
                  "--set " + s + ": give table.key=value, e.g. login.lockout_threshold=3", "set"));
      }
      changes.emplace_back(s.substr(0, eq), s.substr(eq + 1));
    }
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    auto p = rt->config_control().propose(access::Actor::local_operator(), changes, o->reason);
    if (!p) die(p.error());
    print_result(o->json, app::to_json(*p),
                 "configuration change proposed as request " + std::to_string(p->approval_id) +
                     ":\n" + change_lines(p->changes) +
                     "A security officer other than you approves it (the console's approvals, "
                     "or `minato config approve " +
                     std::to_string(p->approval_id) + "`); then `minato config apply " +
                     std::to_string(p->approval_id) + "`.\n");
  });

  auto* approve = cmd->add_subcommand(
      "approve", "Approve a proposed change (a second person: not the one who proposed it)");
  common(approve);
  approve->add_option("id", o->id, "The request")->required();
  approve->add_option("--note", o->note, "A note for the record");
  approve->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    if (auto st = rt->access().approve(access::Actor::local_operator(), o->id, o->note); !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"approval", o->id}, {"status", "approved"}},
                 "request " + std::to_string(o->id) +
                     " approved; apply it with `minato config "
                     "apply " +
                     std::to_string(o->id) + "`\n");
  });

  auto* reject = cmd->add_subcommand("reject", "Reject (or, as its proposer, withdraw) a change");
  common(reject);
  reject->add_option("id", o->id, "The request")->required();
  reject->add_option("--note", o->note, "Why");
  reject->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    if (auto st = rt->access().reject(access::Actor::local_operator(), o->id, o->note); !st) {
      die(st.error());
    }
    print_result(o->json, json::object{{"approval", o->id}, {"status", "rejected"}},
                 "request " + std::to_string(o->id) + " rejected\n");
  });

  auto* apply = cmd->add_subcommand(
      "apply", "Write an approved change to minato.toml (in force at the next start of serve)");
  common(apply);
  apply->add_option("id", o->id, "The approved request")->required();
  apply->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto st = rt->config_control().record_running(); !st) die(st.error());
    auto p = rt->config_control().apply(access::Actor::local_operator(), o->id);
    if (!p) die(p.error());
    print_result(o->json, app::to_json(*p),
                 "minato.toml written (sha256 " + p->sha256.substr(0, 16) + "...):\n" +
                     change_lines(p->changes) +
                     "A running server uses it from its next start (restart it).\n");
  });
}

}  // namespace minato::cli
