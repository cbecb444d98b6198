// `minato scanner`: the malware scanner's signatures (G2.7.1-b). `status` says what clamd runs
// with and how old it is; `install` brings signature databases carried in on media into
// clamd's database directory (app/scanner_signatures.h), for terminals without internet access.
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "app/runtime.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

// main.cvd is a few hundred MB.
constexpr size_t kMaxDatabaseBytes = size_t{2} << 30;

json::object install_json(const app::SignatureInstall& r) {
  json::array removed, warnings;
  for (const auto& x : r.removed) removed.emplace_back(x);
  for (const auto& w : r.warnings) warnings.emplace_back(w);
  return json::object{{"file", r.intake.file_name},
                      {"sha256", r.intake.sha256},
                      {"intake_id", r.intake.id},
                      {"verdict", r.intake.verdict},
                      {"database", r.database.name},
                      {"kind", std::string(secops::to_string(r.database.kind))},
                      {"version", r.database.version},
                      {"signatures", r.database.signatures},
                      {"built", format_utc(r.database.built_us)},
                      {"installed_as", r.installed_as},
                      {"removed", removed},
                      {"reloaded", r.reloaded},
                      {"scanner", r.scanner},
                      {"note", r.note},
                      {"warnings", warnings}};
}

}  // namespace

void add_scanner(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "scanner",
      "The malware scanner's signatures: their age, and their offline update (G2.7.1-b)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data;
    std::vector<std::string> files;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();

  auto* status = cmd->add_subcommand(
      "status",
      "What clamd runs with: its engine, signature database version and age, and the databases "
      "in intake.signature_dir; exit 3 when the signatures are not current");
  status->add_option("--data", o->data, "Data directory")->required();
  status->add_flag("--json", o->json, "Print the result as JSON");
  status->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    auto s = (*rt)->signatures().status(access::Actor::local_operator());
    if (!s) throw CLI::RuntimeError(report(s.error()));
    json::array installed;
    std::string text = "clamd " + s->clamd + ": ";
    if (!s->reachable) {
      text += "not reachable (" + s->error + ")\n";
    } else {
      text += s->version.raw + "\n";
      text += s->age_days < 0 ? std::string(
                                    "  signature database: no date given (only local "
                                    "signature files?): its age cannot be checked\n")
                              : "  signature database " + s->version.database + ", built " +
                                    format_utc(s->version.built_us) + ", " +
                                    counted(s->age_days, "day", "days") + " old (at most " +
                                    counted(s->max_age_days, "day", "days") + ")\n";
    }
    text += "intake.signature_dir: " +
            (s->signature_dir.empty() ? std::string("(not set)") : s->signature_dir) + "\n";
    for (const auto& d : s->installed) {
      installed.push_back(json::object{{"file", d.file},
                                       {"version", d.version},
                                       {"built", format_utc(d.built_us)},
                                       {"signatures", d.signatures}});
      text += "  " + d.file + ": version " + std::to_string(d.version) + ", built " +
              format_utc(d.built_us) + ", " + counted(d.signatures, "signature", "signatures") +
              "\n";
    }
    text += s->current ? "signatures are current\n"
                       : "signatures are NOT current: bring in new ones (minato scanner "
                         "install FILE... --data DIR)\n";
    print_result(o->json,
                 json::object{{"clamd", s->clamd},
                              {"reachable", s->reachable},
                              {"error", s->error},
                              {"engine", s->version.engine},
                              {"database", s->version.database},
                              {"built", s->version.built_us ? format_utc(s->version.built_us) : ""},
                              {"age_days", s->age_days},
                              {"max_age_days", s->max_age_days},
                              {"current", s->current},
                              {"signature_dir", s->signature_dir},
                              {"installed", installed}},
                 text);
    if (!s->current) throw CLI::RuntimeError(3);
  });

  auto* install = cmd->add_subcommand(
      "install",
      "Install ClamAV signature databases brought in on media (daily.cvd, main.cvd, "
      "bytecode.cvd or .cld): taken in and recorded, checked by sigtool, written to "
      "intake.signature_dir, clamd reloaded; an unsigned .cud needs an approved override "
      "(minato edi request-override)");
  install->add_option("files", o->files, "The database files")->required();
  install->add_option("--data", o->data, "Data directory")->required();
  install->add_flag("--json", o->json, "Print the result as JSON");
  install->callback([o] {
    auto rt = app::Runtime::open(o->data);
    if (!rt) throw CLI::RuntimeError(report(rt.error()));
    json::array done;
    for (const auto& file : o->files) {
      auto bytes = read_file(file, kMaxDatabaseBytes);
      if (!bytes) throw CLI::RuntimeError(report(bytes.error()));
      auto r = (*rt)->signatures().install(access::Actor::local_operator(), file, std::move(*bytes),
                                           "cli");
      // The files before it stay installed (each is its own audited command); the error
      // names this one.
      if (!r) throw CLI::RuntimeError(report(r.error()));
      done.push_back(install_json(*r));
      if (!o->json) {
        for (const auto& w : r->warnings) std::printf("warning: %s\n", w.c_str());
        std::printf("%s: %s version %lld (%s, built %s) installed as %s (intake record %lld)\n",
                    file.c_str(), r->database.name.c_str(),
                    static_cast<long long>(r->database.version),
                    counted(r->database.signatures, "signature", "signatures").c_str(),
                    format_utc(r->database.built_us).c_str(), r->installed_as.c_str(),
                    static_cast<long long>(r->intake.id));
        for (const auto& x : r->removed) std::printf("  removed the older %s\n", x.c_str());
        std::printf("  %s\n",
                    r->reloaded ? ("clamd reloaded: " + r->scanner).c_str() : r->note.c_str());
      }
    }
    if (o->json) std::printf("%s\n", json::serialize(json::object{{"installed", done}}).c_str());
  });
}

}  // namespace minato::cli
