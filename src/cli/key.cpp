// `minato key`: the key inventory (G2.3-c, app/key_service.h).
//
//   minato key list --data DIR                 every key: purpose, fingerprint, created, rotated,
//                                              expiry, how it is rotated
//   minato key rotate tls --data DIR [--cert F --key F]   a new certificate (self-signed without
//                                              --cert) for every listener, from the next start
//   minato key rotate signing|audit --data DIR
//   minato key rotate backup --data DIR --passphrase-file F --keys-passphrase-file F2
//   minato key rotate sealing --data DIR [--forget-earlier]   (the server stopped)
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"

namespace minato::cli {

namespace json = boost::json;

namespace {

std::string key_text(const app::KeyView& k) {
  auto date = [](int64_t us) { return us == 0 ? std::string("-") : format_utc(us).substr(0, 10); };
  std::string out =
      std::string(k.info.name) + "  " +
      (k.present ? k.record.fingerprint.substr(0, 16) + "..." : "(none)") + "  created " +
      date(k.record.created_us) + "  rotated " +
      (k.record.rotated_us == 0 ? std::string("never")
                                : date(k.record.rotated_us) + " by " + k.record.rotated_by) +
      "  expires " + (k.record.expires_us == 0 ? std::string("-") : date(k.record.expires_us)) +
      "\n    " + std::string(k.info.purpose) + "\n    rotation: " + std::string(k.info.rotation) +
      "\n";
  if (!k.warning.empty()) out += "    WARNING: " + k.warning + "\n";
  return out;
}

}  // namespace

void add_key(CLI::App& app) {
  auto* cmd = app.add_subcommand("key",
                                 "The key inventory: every key, its fingerprint, age and "
                                 "expiry; rotation (G2.3-c)");
  cmd->require_subcommand(1);
  struct Opts {
    std::string data, name, cert, key, pass_file, keys_pass_file;
    bool json = false, forget_earlier = false;
  };
  auto o = std::make_shared<Opts>();

  auto* list = cmd->add_subcommand("list", "Every key of this installation");
  list->add_option("--data", o->data, "Data directory")->required();
  list->add_flag("--json", o->json, "Print the result as JSON");
  list->callback([o] {
    auto rt = open_runtime(o->data);
    if (auto k = rt->keys().reconcile(); !k) die(k.error());
    auto keys = rt->keys().list(access::Actor::local_operator());
    if (!keys) die(keys.error());
    json::array arr;
    std::string text;
    for (const auto& k : *keys) {
      arr.push_back(app::to_json(k));
      text += key_text(k);
    }
    print_result(o->json, json::object{{"keys", std::move(arr)}}, text);
  });

  auto* rotate = cmd->add_subcommand(
      "rotate",
      "Replace a key (tls, signing, audit, backup, sealing); a running server uses it from its "
      "next start (sealing: stop the server first)");
  rotate->add_option("key", o->name, "tls, signing, audit, backup or sealing")->required();
  rotate->add_option("--data", o->data, "Data directory")->required();
  rotate->add_option("--cert", o->cert, "tls: the new certificate (PEM), from your CA")
      ->check(CLI::ExistingFile);
  rotate->add_option("--key", o->key, "tls: its private key (PEM)")->check(CLI::ExistingFile);
  rotate->add_flag("--forget-earlier", o->forget_earlier,
                   "sealing: keep no earlier key (after a compromise: recovery codes and "
                   "release PINs made before become void)");
  rotate
      ->add_option("--passphrase-file", o->pass_file,
                   "backup: file with the new data recovery passphrase")
      ->check(CLI::ExistingFile);
  rotate
      ->add_option("--keys-passphrase-file", o->keys_pass_file,
                   "backup: file with the new keys recovery passphrase (another one)")
      ->check(CLI::ExistingFile);
  rotate->add_flag("--json", o->json, "Print the result as JSON");
  rotate->callback([o] {
    app::KeyRotateInput in;
    in.forget_earlier = o->forget_earlier;
    for (auto [path, out] : {std::pair{&o->cert, &in.cert_pem}, std::pair{&o->key, &in.key_pem}}) {
      if (path->empty()) continue;
      auto text = read_file(*path, 1 << 20);
      if (!text) die(text.error());
      *out = std::move(*text);
    }
    for (auto [path, out] : {std::pair{&o->pass_file, &in.data_passphrase},
                             std::pair{&o->keys_pass_file, &in.keys_passphrase}}) {
      if (path->empty()) continue;
      auto text = read_secret_file(*path);
      if (!text) die(text.error());
      *out = std::move(*text);
    }
    auto rt = open_runtime(o->data);
    if (auto k = rt->keys().reconcile(); !k) die(k.error());
    auto k = rt->keys().rotate(access::Actor::local_operator(), o->name, in);
    if (!k) die(k.error());
    std::string text = key_text(*k);
    if (o->name == "signing") {
      text += "Give webhook receivers the new public key (its SHA-256 is the fingerprint above).\n";
    }
    if (o->name == "sealing") {
      text += o->forget_earlier
                  ? "Every TOTP secret is re-sealed; the earlier keys are gone: recovery codes "
                    "and release PINs\nmade before are void — users make new codes, lines "
                    "issue new PINs.\n"
                  : "Every TOTP secret is re-sealed; the earlier key is kept to check recovery "
                    "codes and release PINs\nmade before (keys/sealing.key.previous).\n";
    }
    if (o->name == "backup") {
      text +=
          "Pin the new key in the vault (`minato backup key` prints it), and keep the old "
          "recovery files\n(keys/retired/) with the sets they read until the vault's "
          "retention removes them.\n";
    }
    text += "A running server uses the new key from its next start (restart it).\n";
    print_result(o->json, app::to_json(*k), text);
  });
}

}  // namespace minato::cli
