// `minato export`, `minato import` and `minato decommission` (G2.6.3, G2.6.1-c): moving an
// installation to new hardware, and the end of the old one (app/migration.h,
// app/decommission.h).
//
//   minato export --data DIR --out EXPORT --passphrase-file F
//   minato import --from EXPORT --to NEWDIR --fingerprint HEX --passphrase-file F
//   minato decommission --data DIR --certificate FILE --confirm NAME --reason TEXT
//                       (--export EXPORT | --without-export)
//   minato decommission verify FILE [--fingerprint HEX]
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>

#include "app/decommission.h"
#include "app/migration.h"
#include "cli/cli.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

void add_migration(CLI::App& app) {
  struct Opts {
    std::string data, out, from, to, pass_file, fingerprint, certificate, confirm, reason,
        export_dir, file;
    bool json = false, without_export = false;
    config::Listeners listen;
  };
  auto o = std::make_shared<Opts>();

  auto* exp = app.add_subcommand(
      "export",
      "Export a stopped installation for new hardware: database, configuration, keys and logs, "
      "encrypted under a transfer passphrase and signed by its signing key (G2.6.3)");
  exp->add_option("--data", o->data, "Data directory (no server may be running on it)")->required();
  exp->add_option("--out", o->out, "The export directory (new)")->required();
  exp->add_option("--passphrase-file", o->pass_file,
                  "File with the transfer passphrase (the backup passphrase rule); give it to "
                  "the new host apart from the export")
      ->required();
  exp->add_flag("--json", o->json, "Print the result as JSON");
  exp->callback([o] {
    app::ExportOptions x;
    x.data_dir = o->data;
    x.out = o->out;
    x.passphrase = secret_or_die(o->pass_file, "--passphrase-file");
    auto r = app::export_installation(x);
    if (!r) die(r.error());
    json::value index = json::parse(app::to_json(r->index));
    auto& obj = index.as_object();
    obj["dir"] = r->dir;
    obj["stored_bytes"] = r->stored_bytes;
    obj["seconds"] = r->seconds;
    std::string text =
        "exported " + r->index.id + " of \"" + r->index.terminal + "\" to " + r->dir + " (" +
        std::to_string(r->index.sets.size()) + " sets, " + std::to_string(r->stored_bytes) +
        " bytes, audit log of " + std::to_string(r->index.audit.size) + " events)\n" +
        "signing key fingerprint (give it to the new host apart from the "
        "export):\n  " +
        r->index.fingerprint() + "\n" + "on the new host:\n  minato import --from " + r->dir +
        " --to NEWDIR --fingerprint " + r->index.fingerprint() + " --passphrase-file FILE\n";
    print_result(o->json, obj, text);
  });

  auto* imp = app.add_subcommand(
      "import",
      "Import an export on new hardware: its signature checked against the old host's signing "
      "key fingerprint, then restored and verified as a backup is (G2.6.3)");
  imp->add_option("--from", o->from, "The export directory")->required();
  imp->add_option("--to", o->to, "The new data directory (must not exist)")->required();
  imp->add_option("--fingerprint", o->fingerprint,
                  "SHA-256 of the old host's signing key (64 hex digits), from `minato key "
                  "list` there or from the export's output — never from the export directory")
      ->required();
  imp->add_option("--passphrase-file", o->pass_file, "File with the transfer passphrase")
      ->required();
  imp->add_flag("--json", o->json, "Print the result as JSON");
  add_listen_options(imp, &o->listen, "in the imported minato.toml");
  imp->callback([o] {
    app::ImportOptions x;
    x.from = o->from;
    x.to = o->to;
    x.fingerprint = o->fingerprint;
    x.passphrase = secret_or_die(o->pass_file, "--passphrase-file");
    x.listen = o->listen;
    auto r = app::import_installation(x);
    if (!r) die(r.error());
    if (o->json) {
      std::printf("%s\n", app::to_json(*r).c_str());
      return;
    }
    std::printf(
        "imported into %s: audit log of %lld events verified (root %s), %lld units in the "
        "yard, %lld vessel visits, %.1f s\n"
        "listeners: API and console %s, management %s, backup vault %s\n"
        "start it with: minato serve --data %s\n",
        o->to.c_str(), static_cast<long long>(r->audit_size), r->audit_root.substr(0, 16).c_str(),
        static_cast<long long>(r->units_in_yard), static_cast<long long>(r->visits), r->seconds,
        r->listen.c_str(), r->management_listen.c_str(), r->vault_listen.c_str(), o->to.c_str());
  });

  auto* dec = app.add_subcommand(
      "decommission",
      "Destroy this installation's keys and data directory, and write a signed certificate "
      "of the erasure outside it (G2.6.1-c, G2.6.3)");
  dec->add_option("--data", o->data, "Data directory (no server may be running on it)");
  dec->add_option("--certificate", o->certificate,
                  "Where to write the certificate (outside the data directory; new)");
  dec->add_option("--confirm", o->confirm,
                  "The terminal's name as minato.toml has it (terminal.name), to confirm");
  dec->add_option("--reason", o->reason, "Why (recorded in the log and the certificate)");
  dec->add_option("--export", o->export_dir,
                  "The export made by `minato export` just before: nothing recorded after it");
  dec->add_flag("--without-export", o->without_export,
                "Nothing is to be kept (the vault's backups are not touched)");
  dec->add_flag("--json", o->json, "Print the result as JSON");
  auto* verify = dec->add_subcommand("verify", "Check a decommission certificate");
  verify->add_option("file", o->file, "The certificate")->required()->check(CLI::ExistingFile);
  verify->add_option("--fingerprint", o->fingerprint,
                     "The installation's signing key fingerprint, to check the signer is it");
  verify->add_flag("--json", o->json, "Print the result as JSON");
  verify->callback([o] {
    auto text = read_file(o->file, 1 << 20);
    if (!text) die(text.error());
    auto c = app::verify_certificate(*text, o->fingerprint, o->file);
    if (!c) die(c.error());
    json::object r{{"valid", true},
                   {"fingerprint", c->fingerprint},
                   {"terminal", c->terminal},
                   {"host", c->host},
                   {"finished_utc", c->finished_utc},
                   {"outcome", c->outcome},
                   {"files", c->files},
                   {"bytes", c->bytes},
                   {"keys", c->keys},
                   {"checkpoint_verified", c->checkpoint_verified}};
    print_result(o->json, r,
                 o->file + ": signature valid (signing key " + c->fingerprint + ")\n  terminal \"" +
                     c->terminal + "\" on " + c->host + ", erased " + c->finished_utc + ": " +
                     c->outcome + ", " + std::to_string(c->files) + " files, " +
                     std::to_string(c->bytes) + " bytes, " + std::to_string(c->keys) +
                     " keys destroyed; the audit checkpoint inside verifies\n" +
                     (o->fingerprint.empty()
                          ? "  (give --fingerprint to check the signer is the installation's key)\n"
                          : ""));
  });
  dec->callback([o, dec] {
    if (dec->got_subcommand("verify")) return;
    for (auto [v, name] :
         {std::pair{&o->data, "--data"}, std::pair{&o->certificate, "--certificate"},
          std::pair{&o->confirm, "--confirm"}, std::pair{&o->reason, "--reason"}}) {
      if (v->empty()) die(Error(ErrorCode::kInvalidArgument, std::string(name) + " is required"));
    }
    app::DecommissionOptions x;
    x.data_dir = o->data;
    x.certificate = o->certificate;
    x.confirm = o->confirm;
    x.reason = o->reason;
    x.export_dir = o->export_dir;
    x.without_export = o->without_export;
    auto r = app::decommission(x);
    if (!r) die(r.error());
    print_result(o->json,
                 json::object{{"complete", r->complete},
                              {"certificate", r->certificate},
                              {"fingerprint", r->fingerprint},
                              {"files", r->files},
                              {"bytes", r->bytes},
                              {"directories", r->directories},
                              {"keys", r->keys},
                              {"seconds", r->seconds}},
                 "decommissioned: " + std::to_string(r->keys) + " keys destroyed, " +
                     std::to_string(r->files) + " files (" + std::to_string(r->bytes) +
                     " bytes) overwritten and removed, " + o->data + " is gone\n" +
                     "certificate: " + r->certificate + " (signing key " + r->fingerprint +
                     ")\ncheck it anywhere with: minato decommission verify " + r->certificate +
                     " --fingerprint " + r->fingerprint + "\n" +
                     "not covered: vault backup sets, shipped audit copies, exports, and the "
                     "physical medium (sanitize or destroy it by your procedure)\n");
  });
}

}  // namespace minato::cli
