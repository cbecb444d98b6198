// `minato layout`: the terminal's layout (yard blocks, berths, gate lanes) from a JSON file —
// checked on its own, applied in one audited command, or shown as it stands.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "api/layout_json.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

constexpr size_t kMaxLayoutBytes = 4 << 20;

Result<terminal::TerminalLayout> read_layout(const std::string& path) {
  auto text = read_file(path, kMaxLayoutBytes);
  if (!text) return fail(text.error());
  return api::parse_layout(*text, path);
}

int64_t capacity_teu(const terminal::TerminalLayout& l) {
  int64_t teu = 0;
  for (const auto& b : l.blocks) teu += b.capacity_teu();
  return teu;
}

std::string summary(const terminal::TerminalLayout& l) {
  return counted(static_cast<int64_t>(l.blocks.size()), "yard block", "yard blocks") + " (" +
         std::to_string(capacity_teu(l)) + " TEU), " +
         counted(static_cast<int64_t>(l.berths.size()), "berth", "berths") + ", " +
         counted(static_cast<int64_t>(l.lanes.size()), "gate lane", "gate lanes");
}

}  // namespace

void add_layout(CLI::App& app) {
  auto* layout = app.add_subcommand("layout", "The terminal's yard blocks, berths and gate lanes");
  layout->require_subcommand(1);

  struct Opts {
    std::string data, file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();

  auto* check = layout->add_subcommand("check", "Check a layout file without applying it");
  check->add_option("file", o->file, "Layout file (JSON)")->required();
  check->add_flag("--json", o->json, "Print the result as JSON");
  check->callback([o] {
    auto l = read_layout(o->file);
    if (!l) throw CLI::RuntimeError(report(l.error()));
    print_result(o->json,
                 json::object{{"file", o->file},
                              {"valid", true},
                              {"blocks", l->blocks.size()},
                              {"capacity_teu", capacity_teu(*l)},
                              {"berths", l->berths.size()},
                              {"lanes", l->lanes.size()}},
                 o->file + ": valid: " + summary(*l) + "\n");
  });

  auto* apply = layout->add_subcommand(
      "apply",
      "Add or update every block, berth and lane of a layout file in one audited command; a "
      "block change that a unit standing in it would break is refused and nothing changes");
  apply->add_option("--data", o->data, "Data directory")->required();
  apply->add_option("file", o->file, "Layout file (JSON)")->required();
  apply->add_flag("--json", o->json, "Print the layout now in force as JSON");
  apply->callback([o] {
    auto l = read_layout(o->file);
    if (!l) throw CLI::RuntimeError(report(l.error()));
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto actor = access::Actor::local_operator();
    if (auto st = (*rt)->terminal().apply_layout(actor, *l); !st) {
      throw CLI::RuntimeError(report(st.error()));
    }
    auto now = (*rt)->terminal().layout(actor);
    if (!now) throw CLI::RuntimeError(report(now.error()));
    if (o->json) {
      std::printf("%s\n", json::serialize(app::to_json(*now)).c_str());
    } else {
      std::printf("applied %s: the terminal now has %s\n", o->file.c_str(), summary(*now).c_str());
    }
  });

  auto* show = layout->add_subcommand(
      "show", "Print the layout in force (a summary and each block; --json: the layout file)");
  show->add_option("--data", o->data, "Data directory")->required();
  show->add_flag("--json", o->json, "Print the layout as JSON, as `layout apply` takes it");
  show->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto now = (*rt)->terminal().layout(access::Actor::local_operator());
    if (!now) throw CLI::RuntimeError(report(now.error()));
    std::string text = summary(*now) + "\n";
    for (const auto& b : now->blocks) {
      text += "  block " + b.name + ": " + std::to_string(b.bays) + " bays x " +
              std::to_string(b.rows) + " rows x " + std::to_string(b.tiers) + " tiers, " +
              std::to_string(b.capacity_teu()) + " TEU" + (b.hazardous ? ", hazardous" : "") +
              (b.reefer.empty() ? "" : ", reefer plugs") + "\n";
    }
    print_result(o->json, app::to_json(*now), text);
  });
}

}  // namespace minato::cli
