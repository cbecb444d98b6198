// The software inventory, Minato's SBOM, release artefacts and upgrade checks (G2.6.1-b,
// G2.7.4, A1.3.4):
//
//   minato sbom [--out FILE]                     Minato's CycloneDX SBOM, read from this host
//   minato sbom --data DIR --asset SRV-01        ... recorded as that asset's software list
//   minato software import TAG FILE --data DIR   an asset's list from dpkg-query/CycloneDX
//   minato software show TAG --data DIR | list --data DIR
//   minato release keygen --out release.key      a release signing key (prints its public key)
//   minato release sign --key release.key --version 0.2.0 ARTEFACT...
//                                                RELEASE.json, RELEASE.json.sig, SHA256SUMS
//   minato upgrade --check ARTEFACT --data DIR   verify, back up, record the rollback path
#include <CLI/CLI.hpp>
#include <boost/json.hpp>

#include <cstdio>
#include <filesystem>

#include "app/runtime.h"
#include "app/views.h"
#include "cli/cli.h"
#include "common/clock.h"
#include "common/files.h"
#include "crypto/random.h"
#include "secops/release.h"

namespace minato::cli {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

void add_sbom(CLI::App& app) {
  struct Opts {
    std::string out, data, asset;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "sbom",
      "Minato's software bill of materials (CycloneDX 1.5 JSON): its version, the Debian "
      "packages it links and runs with, the console's npm packages (G2.7.4, A1.3.4)");
  cmd->add_option("--out", o->out, "Write it to FILE (default: standard output)");
  cmd->add_option("--data", o->data,
                  "Data directory: read the helper programs from its minato.toml");
  cmd->add_option("--asset", o->asset, "Record it as this asset's software list (needs --data)");
  cmd->callback([o] {
    if (!o->asset.empty() && o->data.empty()) {
      die(Error(ErrorCode::kInvalidArgument, "--asset needs --data", "asset"));
    }
    Result<secops::Bom> bom = fail(ErrorCode::kInternal, "unset");
    if (o->data.empty()) {
      bom = app::SoftwareService::minato_bom({}, SystemClock().now_us());
    } else {
      auto rt = open_runtime(o->data);
      bom = rt->software().sbom(access::Actor::local_operator());
      if (bom && !o->asset.empty()) {
        auto put = rt->software().record_own(access::Actor::local_operator(), o->asset);
        if (!put) die(put.error());
        std::fprintf(stderr, "recorded as the software list of %s (%lld components)\n",
                     o->asset.c_str(), static_cast<long long>(put->record.count));
      }
    }
    if (!bom) die(bom.error());
    const std::string text = secops::to_cyclonedx_json(*bom) + "\n";
    if (o->out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
      return;
    }
    if (auto st = write_file_atomic(o->out, text, 0644); !st) die(st.error());
    std::fprintf(stderr, "%s: %zu components\n", o->out.c_str(), bom->components.size());
  });
}

void add_software_lists(CLI::App& app) {
  struct Opts {
    std::string data, tag, file;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd =
      app.add_subcommand("software", "The software lists of the register's assets (G2.6.1-b)");
  cmd->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--data", o->data, "Data directory")->required();
    c->add_flag("--json", o->json, "Print the result as JSON");
  };
  auto* take_in = cmd->add_subcommand(
      "import",
      "Replace an asset's software list with FILE (dpkg-query -W output, dpkg -l, or CycloneDX "
      "JSON), through the media intake");
  common(take_in);
  take_in->add_option("tag", o->tag, "Asset")->required();
  take_in->add_option("file", o->file, "The list")->required()->check(CLI::ExistingFile);
  take_in->callback([o] {
    auto bytes = read_file(o->file, size_t{64} << 20);
    if (!bytes) die(bytes.error());
    auto rt = open_runtime(o->data);
    auto l =
        rt->software().import_list(access::Actor::local_operator(), o->tag,
                                   fs::path(o->file).filename().string(), std::move(*bytes), "cli");
    if (!l) die(l.error());
    print_result(o->json, app::to_json(*l, false),
                 o->tag + ": " + counted(l->record.count, "component", "components") + " from " +
                     l->record.source + " (intake record " + std::to_string(l->record.intake_id) +
                     ")\n");
  });
  auto* show = cmd->add_subcommand("show", "An asset's software list");
  common(show);
  show->add_option("tag", o->tag, "Asset")->required();
  show->callback([o] {
    auto rt = open_runtime(o->data);
    auto l = rt->software().list_of(access::Actor::local_operator(), o->tag);
    if (!l) die(l.error());
    std::string text = l->record.imported_us == 0 ? o->tag + ": no software list imported\n"
                                                  : o->tag + ": " + l->record.source + ", " +
                                                        format_utc(l->record.imported_us) + " by " +
                                                        l->record.imported_by + "\n";
    for (const auto& c : l->components) {
      text += "  " + c.name + " " + c.version + (c.arch.empty() ? "" : " " + c.arch) + "  " +
              c.purl + "\n";
    }
    print_result(o->json, app::to_json(*l), text);
  });
  auto* list = cmd->add_subcommand("list", "Which assets have a software list, how many entries");
  common(list);
  list->callback([o] {
    auto rt = open_runtime(o->data);
    auto all = rt->software().all(access::Actor::local_operator());
    if (!all) die(all.error());
    json::array arr;
    std::string text;
    for (const auto& l : *all) {
      arr.push_back(app::to_json(l, false));
      text += l.tag + "  " + counted(l.record.count, "component", "components") + "  " +
              l.record.source + "  " + format_utc(l.record.imported_us) + "\n";
    }
    if (all->empty()) text = "no software list imported\n";
    print_result(o->json, json::object{{"lists", arr}}, text);
  });
}  // namespace

void add_release(CLI::App& app) {
  struct Opts {
    std::string out, key, version;
    std::vector<std::string> files;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("release", "Sign release artefacts (the builders' step; A1.3.4)");
  cmd->require_subcommand(1);
  auto* keygen = cmd->add_subcommand("keygen", "Make a release signing key (Ed25519)");
  keygen->add_option("--out", o->out, "The key file (new; 0600)")->required();
  keygen->callback([o] {
    if (fs::exists(o->out)) {
      die(Error(ErrorCode::kAlreadyExists, o->out + " exists: a key is never overwritten", "out"));
    }
    auto key = crypto::SigningKey::generate();
    if (auto st = key.save(o->out); !st) die(st.error());
    std::printf("%s\n", crypto::to_hex(key.public_key()).c_str());
    std::fprintf(stderr,
                 "release key written to %s; its public key (above) goes into "
                 "upgrade.release_keys on each host\n",
                 o->out.c_str());
  });
  auto* sign = cmd->add_subcommand(
      "sign", "Write RELEASE.json, RELEASE.json.sig and SHA256SUMS beside the artefacts");
  sign->add_option("--key", o->key, "The release signing key")
      ->required()
      ->check(CLI::ExistingFile);
  sign->add_option("--version", o->version, "The release's version (MAJOR.MINOR.PATCH)")
      ->required();
  sign->add_option("artefacts", o->files, "The files of the release (one directory)")
      ->required()
      ->check(CLI::ExistingFile);
  sign->callback([o] {
    if (auto st = secops::check_release_version(o->version); !st) die(st.error());
    auto key = crypto::SigningKey::load(o->key);
    if (!key) die(key.error());
    secops::ReleaseManifest m;
    m.version = o->version;
    m.created = format_utc(SystemClock().now_us());
    const fs::path dir = fs::absolute(o->files.front()).parent_path();
    for (const auto& f : o->files) {
      if (fs::absolute(f).parent_path() != dir) {
        die(Error(ErrorCode::kInvalidArgument,
                  f + " is not in " + dir.string() + ": a release's files lie in one directory",
                  "artefacts"));
      }
      auto bytes = MappedFile::open(f);
      if (!bytes) die(bytes.error());
      m.artefacts.push_back({fs::path(f).filename().string(), bytes->bytes().size(),
                             crypto::to_hex(crypto::sha256(bytes->bytes()))});
    }
    const std::string text = secops::manifest_json(m);
    if (auto parsed = secops::parse_manifest(text); !parsed) die(parsed.error());
    const std::string base = dir.string() + "/";
    for (const auto& [name, content] :
         {std::pair{std::string(secops::kManifestName), text},
          std::pair{std::string(secops::kSignatureName), secops::sign_manifest(*key, text)},
          std::pair{std::string(secops::kSumsName), secops::sums_text(m)}}) {
      if (auto st = write_file_atomic(base + name, content, 0644); !st) die(st.error());
    }
    std::printf("release %s: %zu artefacts signed by %s in %s\n", m.version.c_str(),
                m.artefacts.size(), crypto::to_hex(key->public_key()).c_str(), dir.c_str());
  });
}

void add_upgrade(CLI::App& app) {
  struct Opts {
    std::string data, check, manifest_dir;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand(
      "upgrade",
      "Before an upgrade: check the release's signature and sums, make the pre-upgrade backup, "
      "record the rollback path (G2.7.4, A1.3.4)");
  cmd->add_option("--data", o->data, "Data directory")->required();
  cmd->add_option("--check", o->check, "The release artefact to check")->required();
  cmd->add_option("--manifest-dir", o->manifest_dir,
                  "Where RELEASE.json and its signature are (default: beside the artefact)");
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o] {
    auto rt = open_runtime(o->data);
    auto c = rt->upgrades().check(access::Actor::local_operator(), o->check, o->manifest_dir);
    if (!c) die(c.error());
    print_result(o->json, app::to_json(*c),
                 "release " + c->release.version + " checked: " + c->artefact.name + " signed by " +
                     c->release.signer + ", SHA-256 " + c->artefact.sha256 + "\n\n" +
                     c->rollback_text + "\nrollback path recorded in " + c->rollback_file + "\n");
  });
}

}  // namespace

void add_software(CLI::App& app) {
  add_sbom(app);
  add_software_lists(app);
  add_release(app);
  add_upgrade(app);
}

}  // namespace minato::cli
